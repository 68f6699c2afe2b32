package pcm.softcpu.internal;

import static pcm.softcpu.internal.DecodeTable.*;

/**
 * Shifts, rotates and bit instructions: SHL/SHR/SAR/ROL/ROR/RCL/RCR (by 1, imm8, CL), SHLD/SHRD,
 * BT/BTS/BTR/BTC, BSF/BSR, TZCNT/LZCNT, POPCNT, BSWAP. The undefined flags follow the vendor model
 * ({@link CpuState#intelFlags}; module README).
 */
abstract class ShiftsAndBits extends IntegerAlu {

    static final String FAMILY = "shifts and bits";

    ShiftsAndBits(PhysicalMemory mem) {
        super(mem);
    }

    static void register(Builder t) {
        String[] names = {"ROL", "ROR", "RCL", "RCR", "SHL", "SHR", "SAL", "SAR"};
        for (int op = 0; op < 8; op++) {
            t.group(FAMILY, MAP_PRIMARY, 0xC0, ANY, op, EITHER, I_B, false, names[op] + " Eb,Ib", (c, b) -> c.shiftGroup2(b));
            t.group(FAMILY, MAP_PRIMARY, 0xC1, ANY, op, EITHER, I_B, false, names[op] + " Ev,Ib", (c, b) -> c.shiftGroup2(b));
            t.group(FAMILY, MAP_PRIMARY, 0xD0, ANY, op, EITHER, I_NONE, false, names[op] + " Eb,1", (c, b) -> c.shiftGroup2(b));
            t.group(FAMILY, MAP_PRIMARY, 0xD1, ANY, op, EITHER, I_NONE, false, names[op] + " Ev,1", (c, b) -> c.shiftGroup2(b));
            t.group(FAMILY, MAP_PRIMARY, 0xD2, ANY, op, EITHER, I_NONE, false, names[op] + " Eb,CL", (c, b) -> c.shiftGroup2(b));
            t.group(FAMILY, MAP_PRIMARY, 0xD3, ANY, op, EITHER, I_NONE, false, names[op] + " Ev,CL", (c, b) -> c.shiftGroup2(b));
        }
        t.op(FAMILY, MAP_0F, 0xA4, ANY, F_MODRM, I_B, "SHLD Ev,Gv,Ib", (c, b) -> c.shiftDoubleOp(b));
        t.op(FAMILY, MAP_0F, 0xA5, ANY, F_MODRM, I_NONE, "SHLD Ev,Gv,CL", (c, b) -> c.shiftDoubleOp(b));
        t.op(FAMILY, MAP_0F, 0xAC, ANY, F_MODRM, I_B, "SHRD Ev,Gv,Ib", (c, b) -> c.shiftDoubleOp(b));
        t.op(FAMILY, MAP_0F, 0xAD, ANY, F_MODRM, I_NONE, "SHRD Ev,Gv,CL", (c, b) -> c.shiftDoubleOp(b));
        t.op(FAMILY, MAP_0F, 0xA3, ANY, F_MODRM, I_NONE, false, "BT Ev,Gv", (c, b) -> c.bitOp(0, c.r[c.reg], true));
        t.op(FAMILY, MAP_0F, 0xAB, ANY, F_MODRM, I_NONE, true, "BTS Ev,Gv", (c, b) -> c.bitOp(1, c.r[c.reg], true));
        t.op(FAMILY, MAP_0F, 0xB3, ANY, F_MODRM, I_NONE, true, "BTR Ev,Gv", (c, b) -> c.bitOp(2, c.r[c.reg], true));
        t.op(FAMILY, MAP_0F, 0xBB, ANY, F_MODRM, I_NONE, true, "BTC Ev,Gv", (c, b) -> c.bitOp(3, c.r[c.reg], true));
        String[] bt = {"BT", "BTS", "BTR", "BTC"};
        for (int op = 4; op < 8; op++) {
            t.group(FAMILY, MAP_0F, 0xBA, ANY, op, EITHER, I_B, op != 4, bt[op - 4] + " Ev,Ib",
                    (c, b) -> c.bitOp((c.reg & 7) - 4, c.fetch8(), false));
        }
        t.op(FAMILY, MAP_0F, 0xBC, P_NONE | P_66 | P_F2, F_MODRM, I_NONE, "BSF Gv,Ev", (c, b) -> c.bitScan(false));
        t.op(FAMILY, MAP_0F, 0xBD, P_NONE | P_66 | P_F2, F_MODRM, I_NONE, "BSR Gv,Ev", (c, b) -> c.bitScan(true));
        // TZCNT is BMI1, which the CPUID table does not advertise (its VEX instructions are absent); a CPU
        // without BMI1 would run F3 0F BC as BSF. Kept as TZCNT: the native oracle runs on hosts with BMI1,
        // and the results differ only for a zero source (see the module README).
        t.op(FAMILY, MAP_0F, 0xBC, P_F3, F_MODRM, I_NONE, "TZCNT Gv,Ev", (c, b) -> c.bitScan(false));
        t.op(FAMILY, MAP_0F, 0xBD, P_F3, F_MODRM, I_NONE, "LZCNT Gv,Ev", (c, b) -> c.bitScan(true));
        t.op(FAMILY, MAP_0F, 0xB8, P_F3, F_MODRM, I_NONE, "POPCNT Gv,Ev", (c, b) -> c.popcnt());
        t.range(FAMILY, MAP_0F, 0xC8, 0xCF, ANY, F_NONE, I_NONE, "BSWAP r", (c, b) -> c.bswap(b));
    }

    /** C0/C1/D0..D3 /op. */
    final void shiftGroup2(int b) {
        int size = (b & 1) == 0 ? 1 : osz;
        long d = rmReadW(size);
        int cnt = b < 0xC2 ? fetch8() : b < 0xD2 ? 1 : (int) r[1] & 0xFF;
        int c = cnt & (size == 8 ? 0x3F : 0x1F);
        if (c == 0) { // no flags change, but a 32-bit register destination is still zero-extended
            if (size == 4 && mod == 3) r[rm] &= 0xFFFFFFFFL;
            return;
        }
        long res = shift(reg & 7, d, cnt, size, b < 0xC2 && mod == 3);
        rmWrite(size, res);
    }

    /** 0F A4/A5/AC/AD. */
    final void shiftDoubleOp(int b) {
        long d = rmReadW(osz);
        int cnt = (b & 1) == 0 ? fetch8() : (int) r[1] & 0xFF;
        if ((cnt & (osz == 8 ? 0x3F : 0x1F)) == 0) {
            if (osz == 4 && mod == 3) r[rm] &= 0xFFFFFFFFL;
            return;
        }
        rmWrite(osz, shiftDouble(b < 0xA8, d, getReg(reg, osz), cnt, osz));
    }

    final void popcnt() {
        long v = rmRead(osz) & MASK[osz];
        setReg(reg, osz, Long.bitCount(v));
        materialize();
        flags = (flags & ~ARITH) | (v == 0 ? ZF : 0);
    }

    final void bswap(int b) {
        int i = (b & 7) | ((rex & 1) << 3);
        if (osz == 8) r[i] = Long.reverseBytes(r[i]);
        else if (osz == 4) r[i] = Integer.reverseBytes((int) r[i]) & 0xFFFFFFFFL;
        else throw unsupported("bswap r16");
    }

    /**
     * {@code immReg}: register destination with an immediate count (Intel: ROL/ROR r, imm with a count
     * above 1 keep OF; the memory and CL forms compute the OF of the first 1-bit step).
     */
    final long shift(int op, long d, int count, int size, boolean immReg) {
        int bits = size * 8;
        int cnt = count & (size == 8 ? 0x3F : 0x1F);
        long m = MASK[size];
        d &= m;
        if (cnt == 0) return d;
        undefinedFlags(cnt > 1 ? OF | AF : AF); // SDM SAL/SAR/SHL/SHR, RCL/RCR/ROL/ROR: OF for counts > 1; AF
        long res;
        boolean c, o;
        switch (op) {
            case 0: { // ROL
                int n = cnt & (bits - 1);
                res = n == 0 ? d : ((d << n) | (d >>> (bits - n))) & m;
                c = (res & 1) != 0;
                o = !intelFlags ? (((res >>> (bits - 1)) & 1) != 0) ^ c
                        : immReg && cnt > 1 ? of() : (((d ^ (d << 1)) >>> (bits - 1)) & 1) != 0;
                setCfOf(c, o);
                return res;
            }
            case 1: { // ROR
                int n = cnt & (bits - 1);
                res = n == 0 ? d : ((d >>> n) | (d << (bits - n))) & m;
                c = ((res >>> (bits - 1)) & 1) != 0;
                o = !intelFlags ? c ^ (((res >>> (bits - 2)) & 1) != 0)
                        : immReg && cnt > 1 ? of() : (((d >>> (bits - 1)) ^ d) & 1) != 0;
                setCfOf(c, o);
                return res;
            }
            case 2: { // RCL
                int n = size == 1 ? cnt % 9 : size == 2 ? cnt % 17 : cnt;
                if (n == 0) { // a rotation by a multiple of 9/17: AMD still sets OF as for the result (measured)
                    if (amdHardwareFlags()) setCfOf(cf(), (((d >>> (bits - 1)) & 1) != 0) ^ cf());
                    return d;
                }
                long carry = cf() ? 1 : 0;
                res = d;
                for (int i = 0; i < n; i++) {
                    long out = (res >>> (bits - 1)) & 1;
                    res = ((res << 1) | carry) & m;
                    carry = out;
                }
                setCfOf(carry != 0, intelFlags ? (((d ^ (d << 1)) >>> (bits - 1)) & 1) != 0
                        : tcgFlags ? (((d ^ res) >>> (bits - 1)) & 1) != 0 // TCG: MSB(source XOR result)
                        : (((res >>> (bits - 1)) & 1) ^ carry) != 0);
                return res;
            }
            case 3: { // RCR
                int n = size == 1 ? cnt % 9 : size == 2 ? cnt % 17 : cnt;
                if (n == 0) {
                    if (amdHardwareFlags()) setCfOf(cf(), (((d >>> (bits - 1)) ^ (d >>> (bits - 2))) & 1) != 0);
                    return d;
                }
                long carry = cf() ? 1 : 0, cin = carry;
                res = d;
                for (int i = 0; i < n; i++) {
                    long out = res & 1;
                    res = (res >>> 1) | (carry << (bits - 1));
                    carry = out;
                }
                res &= m;
                setCfOf(carry != 0, intelFlags ? ((cin ^ (d >>> (bits - 1))) & 1) != 0
                        : tcgFlags ? (((d ^ res) >>> (bits - 1)) & 1) != 0
                        : (((res >>> (bits - 1)) ^ (res >>> (bits - 2))) & 1) != 0);
                return res;
            }
            case 4: case 6: { // SHL/SAL
                if (size == 8) {
                    c = ((d >>> (64 - cnt)) & 1) != 0;
                    res = d << cnt;
                } else {
                    long full = d << cnt;
                    c = ((full >>> bits) & 1) != 0;
                    res = full & m;
                }
                lcf = c ? 1 : 0;
                lazy(OP_SHL, d, 0, res, size);
                return res;
            }
            case 5: { // SHR
                c = ((d >>> (cnt - 1)) & 1) != 0;
                res = d >>> cnt;
                lcf = c ? 1 : 0;
                lazy(OP_SHR, d, 0, res, size);
                return res;
            }
            default: { // SAR
                long sx = (d << (64 - bits)) >> (64 - bits);
                c = ((sx >> (cnt - 1)) & 1) != 0;
                res = (sx >> cnt) & m;
                lcf = c ? 1 : 0;
                lazy(OP_SAR, d, 0, res, size);
                return res;
            }
        }
    }

    final long shiftDouble(boolean left, long d, long s, int count, int size) {
        int bits = size * 8;
        int cnt = count & (size == 8 ? 0x3F : 0x1F);
        long m = MASK[size];
        d &= m;
        s &= m;
        if (cnt == 0) return d;
        // SDM SHLD/SHRD: OF for counts > 1, AF always; a count above the operand size leaves everything undefined
        undefinedFlags(cnt > bits ? ARITH : cnt > 1 ? OF | AF : AF);
        long res;
        boolean c;
        if (cnt > bits) return shiftDouble16Wide(left, d, s, cnt);
        if (left) {
            res = cnt == bits ? s : ((d << cnt) | (s >>> (bits - cnt))) & m;
            c = ((d >>> (bits - cnt)) & 1) != 0;
        } else {
            res = cnt == bits ? s : ((d >>> cnt) | (s << (bits - cnt))) & m;
            c = ((d >>> (cnt - 1)) & 1) != 0;
        }
        boolean o;
        if (intelFlags) { // Intel: OF of the first 1-bit step
            o = left ? (((d ^ (d << 1)) >>> (bits - 1)) & 1) != 0 : (((d >>> (bits - 1)) ^ s) & 1) != 0;
        } else { // AMD and TCG (measured): SHLD MSB(result) XOR CF, SHRD MSB(result) XOR bit n-2 of the result
            // (a 16-bit SHLD by 16: AMD OF = CF)
            o = left ? (cnt == bits && !tcgFlags ? c : (((res >>> (bits - 1)) & 1) != 0) ^ c)
                    // TCG's 64-bit SHRD takes the MSB of the destination alone shifted by count - 1 (measured)
                    : tcgFlags && size == 8 ? (((d >>> (cnt - 1)) ^ res) >>> 63) != 0
                    : (((res >>> (bits - 1)) ^ (res >>> (bits - 2))) & 1) != 0;
        }
        setResultFlags(res, size, c, o, amdHardwareFlags()); // AF: AMD sets it, Intel and TCG clear it
        return res;
    }

    /**
     * 16-bit SHLD/SHRD with a masked count of 17..31, where the SDM leaves result and flags undefined. Intel
     * P6 and later shift the 48-bit dest:src:dest (QEMU and Bochs model the same; differential test against
     * KVM on an Intel host in DiffFixedTest): SHLD keeps bits 32..47 of the value shifted left, SHRD bits 0..15
     * of it shifted right; CF is the last bit shifted out, SF/ZF/PF follow the result, OF as for a count of
     * 1 on the same value (measured). AMD shifts another 48-bit value (below, measured).
     */
    private long shiftDouble16Wide(boolean left, long d, long s, int cnt) {
        if (amdHardwareFlags()) {
            // AMD (measured natively on Zen 4, counts 17..31): the 48-bit dest:src:src (SHLD) or src:src:dest (SHRD)
            // shifted, CF = 0, SHLD's OF = CF = 0, SHRD's OF = MSB(result) XOR bit 14, AF = 1, SF/ZF/PF from the result
            long v = left ? d << 32 | s << 16 | s : s << 32 | s << 16 | d;
            long res = (left ? v >>> (32 - cnt) : v >>> cnt) & 0xFFFF;
            setResultFlags(res, 2, false, !left && (((res >>> 15) ^ (res >>> 14)) & 1) != 0, true);
            return res;
        }
        long v = d << 32 | s << 16 | d;
        long res;
        boolean c;
        if (left) {
            res = (v << cnt) >>> 32 & 0xFFFF;
            c = ((v >>> (48 - cnt)) & 1) != 0;
        } else {
            res = (v >>> cnt) & 0xFFFF;
            c = ((v >>> (cnt - 1)) & 1) != 0;
        }
        boolean o;
        if (tcgFlags) { // TCG shifts Intel's value; OF = MSB of (the value shifted by count - 1) XOR MSB(result)
            o = left ? c ^ ((res >>> 15) & 1) != 0 : (((v >>> (cnt + 14)) ^ (res >>> 15)) & 1) != 0;
        } else {
            o = left ? (((d ^ (d << 1)) >>> 15) & 1) != 0 : (((d >>> 15) ^ s) & 1) != 0;
        }
        setResultFlags(res, 2, c, o, false);
        return res;
    }


    final void bitOp(int op, long offset, boolean regOffset) {
        undefinedFlags(OF | SF | AF | PF); // SDM BT/BTS/BTR/BTC
        int size = osz;
        int bits = size * 8;
        long v;
        int bit;
        long addr = 0;
        if (mod == 3) {
            v = getReg(rm, size);
            bit = (int) offset & (bits - 1);
        } else {
            addr = ea;
            if (regOffset) {
                long so = (offset << (64 - bits)) >> (64 - bits);
                addr += (so >> Integer.numberOfTrailingZeros(bits)) * size;
                bit = (int) so & (bits - 1);
            } else {
                bit = (int) offset & (bits - 1);
            }
            v = op != 0 ? readRmw(addr, size) : read(addr, size);
        }
        boolean c = ((v >>> bit) & 1) != 0;
        if (op != 0) {
            long nv = op == 1 ? v | (1L << bit) : op == 2 ? v & ~(1L << bit) : v ^ (1L << bit);
            if (mod == 3) setReg(rm, size, nv);
            else write(addr, size, nv);
        }
        setCf(c);
    }

    final void bitScan(boolean reverse) {
        long v = rmRead(osz) & MASK[osz];
        int bits = osz * 8;
        materialize();
        // SDM BSF/BSR: CF, OF, SF, AF, PF undefined; TZCNT/LZCNT: OF, SF, AF, PF undefined
        undefinedFlags(rep == 0xF3 ? OF | SF | AF | PF : CF | OF | SF | AF | PF);
        if (rep == 0xF3) { // TZCNT / LZCNT
            int n = reverse ? Long.numberOfLeadingZeros(v) - (64 - bits) : (v == 0 ? bits : Long.numberOfTrailingZeros(v));
            setReg(reg, osz, n);
            // measured natively (issue 13 item 4): Intel (and TCG) OF, SF, AF, PF = 0; AMD SF, AF, PF = 0, OF as it was
            long f = flags & ~(amdHardwareFlags() ? ARITH & ~OF : ARITH);
            if (v == 0) f |= CF;
            if (n == 0) f |= ZF;
            flags = f;
            return;
        }
        if (v == 0) {
            // Intel and AMD (both measured): CF, OF, SF, AF = 0, PF = 1 (destination unchanged)
            flags = (flags & ~ARITH) | ZF | PF;
            return;
        }
        int n = reverse ? 63 - Long.numberOfLeadingZeros(v) : Long.numberOfTrailingZeros(v);
        // Intel and AMD (both measured): CF, OF, SF, AF = 0, PF from the index; TCG: SF and PF from the source
        flags = (flags & ~ARITH) | (tcgFlags ? (((v >>> (bits - 1)) & 1) != 0 ? SF : 0) | (parity(v & 0xFF) ? PF : 0)
                : parity(n) ? PF : 0);
        setReg(reg, osz, n);
    }
}
