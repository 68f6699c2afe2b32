package pcm.softcpu.internal.x87;

import java.math.BigInteger;

/** The x87 operations with more than one result or special operands: FXTRACT, FPREM/FPREM1, FSCALE, packed BCD. */
final class X87Special {

    private X87Special() {}

    /** FXTRACT: ST(0) = significand (exponent 0), pushed over ST(1) = unbiased exponent. */
    static void fxtract(X87Unit u) {
        Arith a = u.a;
        u.roomToPush();
        F80 x = u.st(0); // an empty ST(0) wins over a full stack (C1 = 0)
        F80 exp, sig;
        if (u.stackFault != 0) {
            exp = sig = F80.INDEFINITE;
        } else if (x.isUnsupported()) {
            a.exc |= X87.IE;
            exp = sig = F80.INDEFINITE;
        } else if (x.isNaN()) {
            exp = sig = a.propagate(x, x);
        } else if (x.isZero()) {
            a.exc |= X87.ZE;
            exp = F80.NEG_INF;
            sig = x;
        } else if (x.isInf()) {
            exp = F80.POS_INF;
            sig = x;
        } else {
            if (x.isDenormal()) a.exc |= X87.DE;
            if (a.denormalAborts()) {
                u.status();
                return;
            }
            int lz = Long.numberOfLeadingZeros(x.m());
            int e = Math.max(x.exp(), 1) - F80.BIAS - lz;
            exp = Arith.fromLong(e);
            sig = new F80((x.neg() ? 0x8000 : 0) | F80.BIAS, x.m() << lz);
        }
        if (u.ok()) {
            u.set(0, exp);
            u.push(sig);
        }
        u.status();
    }

    /** FPREM (truncating quotient) / FPREM1 (IEEE remainder, quotient to nearest); C0, C3, C1 = quotient bits 2, 1, 0; C2 = incomplete. */
    static void fprem(X87Unit u, boolean ieee) {
        Arith a = u.a;
        F80 x = u.st(0), y = u.st(1);
        F80 r;
        int cc = u.s.fsw & (X87.C0 | X87.C3); // NaN and invalid operands leave C0 and C3 as they were, C1 cleared (measured)
        if (u.stackFault != 0) {
            r = F80.INDEFINITE;
        } else if (x.isUnsupported() || y.isUnsupported()) {
            a.exc |= X87.IE;
            r = F80.INDEFINITE;
        } else if (x.isNaN() || y.isNaN()) {
            r = a.propagate(x, y);
        } else if (x.isInf() || y.isZero()) { // invalid; a denormal other operand is not reported (measured)
            a.exc |= X87.IE;
            r = F80.INDEFINITE;
        } else if (x.isZero() || y.isInf()) { // ST(0) comes back, quotient 0 (C0, C3 kept if a denormal aborts: measured)
            if (x.isDenormal() || y.isDenormal()) a.exc |= X87.DE;
            boolean aborts = a.denormalAborts();
            if (!aborts) cc = 0;
            // AMD rounds a nonzero ST(0) as any remainder: a denormal with UE unmasked underflows (measured)
            r = aborts || x.isZero() || u.s.vendor() == FpuVendor.INTEL ? normal(x)
                    : a.round64(x.neg(), Arith.mag(x), Arith.lsbExp(x));
        } else {
            if (x.isDenormal() || y.isDenormal()) a.exc |= X87.DE;
            if (a.denormalAborts()) { // C2 and C1 cleared, C0 and C3 kept (measured)
                u.conditionCodes(cc);
                u.status();
                return;
            }
            cc = 0;
            BigInteger mx = Arith.mag(x), my = Arith.mag(y);
            int ex = Arith.lsbExp(x) + mx.bitLength(), ey = Arith.lsbExp(y) + my.bitLength();
            int d = ex - ey;
            int lx = Arith.lsbExp(x), ly = Arith.lsbExp(y);
            int common = Math.min(lx, ly);
            BigInteger nx = mx.shiftLeft(lx - common), ny = my.shiftLeft(ly - common);
            BigInteger q;
            if (d < 64) {
                BigInteger[] qr = nx.divideAndRemainder(ny);
                q = qr[0];
                BigInteger rem = qr[1];
                if (ieee) {
                    int c = rem.shiftLeft(1).compareTo(ny);
                    if (c > 0 || (c == 0 && q.testBit(0))) {
                        q = q.add(BigInteger.ONE);
                        rem = rem.subtract(ny);
                    }
                }
                cc = (q.testBit(2) ? X87.C0 : 0) | (q.testBit(1) ? X87.C3 : 0) | (q.testBit(0) ? X87.C1 : 0);
                r = result(a, x.neg() ^ rem.signum() < 0, rem.abs(), common, x.neg());
            } else {
                int n = 32 + (d - 64) % 32; // the reduction step: see the module README (measured)
                int shift = d - n;
                BigInteger qq = nx.divide(ny.shiftLeft(shift));
                BigInteger rem = nx.subtract(ny.multiply(qq).shiftLeft(shift));
                cc = X87.C2;
                r = result(a, x.neg(), rem, common, x.neg());
            }
        }
        u.conditionCodes(cc & ~X87.C1); // even when the exception is unmasked (measured)
        if (u.ok()) u.set(0, r);
        u.status();
        if (u.ok() && u.stackFault == 0) u.s.fsw = (cc & X87.C1) != 0 ? u.s.fsw | X87.C1 : u.s.fsw & ~X87.C1;
    }

    /** A pseudo-denormal as the FPU gives it back: exponent 1 (measured); anything else unchanged. */
    private static F80 normal(F80 x) { return x.exp() == 0 && x.m() < 0 ? new F80(x.se() | 1, x.m()) : x; }

    private static F80 result(Arith a, boolean neg, BigInteger mag, int exp, boolean zeroSign) {
        if (mag.signum() == 0) return F80.zero(zeroSign);
        return a.round64(neg, mag, exp);
    }

    /** FSCALE: ST(0) * 2^trunc(ST(1)). */
    static void fscale(X87Unit u) {
        Arith a = u.a;
        F80 x = u.st(0), y = u.st(1);
        F80 r;
        if (u.stackFault != 0) {
            r = F80.INDEFINITE;
        } else if (x.isUnsupported() || y.isUnsupported()) {
            a.exc |= X87.IE;
            r = F80.INDEFINITE;
        } else if (x.isNaN() || y.isNaN()) {
            r = a.propagate(x, y);
        } else {
            if (x.isDenormal() || y.isDenormal()) a.exc |= X87.DE;
            if (a.denormalAborts()) {
                u.status();
                return;
            }
            if (y.isInf()) {
                if (!y.neg()) r = x.isZero() ? invalid(a) : F80.inf(x.neg());
                else r = x.isInf() ? invalid(a) : F80.zero(x.neg());
            } else if (x.isZero() || x.isInf()) {
                r = x;
            } else {
                long n;
                if (y.isZero() || y.exp() < F80.BIAS) n = 0;
                else if (y.exp() > F80.BIAS + 30) n = y.neg() ? -(1 << 20) : 1 << 20;
                else {
                    n = y.m() >>> (63 - (y.exp() - F80.BIAS));
                    if (y.neg()) n = -n;
                }
                // Intel: a zero ST(1) gives ST(0) back as it is, a denormal too (no underflow; measured); a nonzero
                // one that truncates to 0 goes through the rounding (a denormal then underflows). AMD rounds for a
                // zero ST(1) as well: a denormal with UE unmasked underflows (measured)
                r = y.isZero() && u.s.vendor() == FpuVendor.INTEL ? normal(x)
                        : a.round64(x.neg(), Arith.mag(x), (int) (Arith.lsbExp(x) + n));
            }
        }
        if (u.ok()) u.set(0, r);
        u.status();
    }

    private static F80 invalid(Arith a) {
        a.exc |= X87.IE;
        return F80.INDEFINITE;
    }

    /** FBLD: 18 packed BCD digits and the sign byte's bit 7 (invalid digits give an undefined value: decoded as given). */
    static F80 fromBcd(long lo, int hi) {
        long v = 0;
        for (int d = 17; d >= 0; d--) {
            int nib = d >= 16 ? (hi >> (4 * (d - 16))) & 0xF : (int) (lo >>> (4 * d)) & 0xF;
            v = v * 10 + nib;
        }
        boolean neg = (hi & 0x8000) != 0;
        if (v == 0) return F80.zero(neg);
        F80 r = Arith.fromLong(v);
        return neg ? r.negate() : r;
    }

    /** FBSTP m80bcd: rounded by RC; out of range (|v| >= 10^18), NaN, infinity, unsupported: IE and the BCD indefinite. */
    static void fbstp(X87Unit u, X87Host h, long ea) {
        u.probeStore(ea, 10);
        Arith a = u.a;
        F80 v = u.st(0);
        long lo;
        int hi;
        boolean invalid = v.isUnsupported() || v.isNaN() || v.isInf() || (!v.isZero() && v.exp() > F80.BIAS + 62);
        BigInteger m = BigInteger.ZERO;
        if (!invalid && !v.isZero()) {
            m = a.toInteger(v, a.rc);
            if (m.compareTo(BigInteger.TEN.pow(18)) >= 0) invalid = true;
        }
        if (invalid) {
            a.exc = (a.exc & ~X87.PE) | X87.IE;
            a.up = false;
            lo = 0xC000000000000000L;
            hi = 0xFFFF;
        } else {
            long n = m.longValue();
            lo = 0;
            for (int d = 0; d < 16; d++, n /= 10) lo |= (n % 10) << (4 * d);
            hi = (int) (n % 10) | (int) ((n / 10) % 10) << 4 | (v.neg() ? 0x8000 : 0);
        }
        if (u.okToMemory()) {
            // Intel: the significand first, then the exponent word: a fault on the second page leaves the first
            // part written (measured); AMD probed the whole destination first (X87Unit.probeStore)
            h.write(ea, 8, lo);
            h.write(ea + 8, 2, hi);
            u.pop();
        }
        u.status();
    }
}
