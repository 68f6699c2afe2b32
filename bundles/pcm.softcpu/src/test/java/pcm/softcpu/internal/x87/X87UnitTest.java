package pcm.softcpu.internal.x87;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * The x87 unit on its own (issue 13 items 1 and 2), for what the native oracle cannot reach from user mode
 * (CR0.TS/EM/NE, CPUID-gated forms, the absent transcendentals) and known values that need no host CPU.
 */
class X87UnitTest {

    private final X87State st = new X87State();
    private final X87Unit u = new X87Unit(st);
    private final FakeHost h = new FakeHost();

    /** One escape instruction from its two bytes (register form) or with a memory operand at {@code ea}. */
    private void esc(int op, int modrm) { u.escape(h, op, modrm >> 6, modrm >> 3 & 7, modrm & 7, 0, 0, 0x1000, false); }

    private void escMem(int op, int reg, long ea) { u.escape(h, op, 2, reg, 7, ea, ea, 0x1000, false); }

    private void loadDouble(double d) {
        h.write(0x100, 8, Double.doubleToRawLongBits(d));
        escMem(0xDD, 0, 0x100); // FLD m64
    }

    private double storeDouble() {
        escMem(0xDD, 3, 0x108); // FSTP m64
        return Double.longBitsToDouble(h.read(0x108, 8));
    }

    @Test
    void arithmeticRoundsToTheSelectedPrecision() {
        st.fcw = 0x027F; // PC = 53 bits, RN: the x87 then computes as double does
        for (double[] c : new double[][] {{1, 3}, {2, 7}, {1e300, 3e-7}, {-5, 9}}) {
            loadDouble(c[0]);
            loadDouble(c[1]);
            esc(0xDE, 0xF9); // FDIVP: ST1 = ST1 / ST0, pop
            assertEquals(c[0] / c[1], storeDouble(), () -> c[0] + "/" + c[1]);
        }
        loadDouble(2);
        esc(0xD9, 0xFA); // FSQRT
        assertEquals(Math.sqrt(2), storeDouble());
    }

    @Test
    void extendedResultsKeepSixtyFourBits() {
        loadDouble(1);
        loadDouble(3);
        esc(0xDE, 0xF9); // 1/3 at 64 bits: 0x3FFD AAAA...AAAB
        assertEquals(new F80(0x3FFD, 0xAAAAAAAAAAAAAAABL), st.reg[st.top]);
        assertTrue((st.fsw & X87.PE) != 0 && (st.fsw & X87.C1) != 0, "inexact, rounded up");
    }

    @Test
    void fldpiFollowsTheRoundingControl() {
        esc(0xD9, 0xEB);
        assertEquals(0xC90FDAA22168C235L, st.reg[st.top].m());
        st.fcw = 0x0F7F; // RZ
        esc(0xD9, 0xEB);
        assertEquals(0xC90FDAA22168C234L, st.reg[st.top].m());
    }

    @Test
    void taskSwitchedOrEmulatedIsNm() {
        h.cr0 |= X87Host.CR0_TS;
        assertEquals(7, assertThrows(FakeHost.Vector.class, () -> esc(0xD9, 0xE8)).vector);
        h.cr0 &= ~X87Host.CR0_TS;
        h.cr0 |= X87Host.CR0_EM;
        assertEquals(7, assertThrows(FakeHost.Vector.class, () -> esc(0xD9, 0xE8)).vector);
        assertEquals(6, assertThrows(FakeHost.Vector.class, () -> u.emms(h)).vector, "EMMS with EM: #UD");
        assertEquals(7, assertThrows(FakeHost.Vector.class, () -> u.fxsave(h, 0x200, true)).vector);
        h.cr0 &= ~X87Host.CR0_EM;
        u.fwait(h); // WAIT: #NM only with TS and MP
        h.cr0 = (h.cr0 | X87Host.CR0_TS) & ~X87Host.CR0_MP;
        u.fwait(h);
        h.cr0 |= X87Host.CR0_MP;
        assertEquals(7, assertThrows(FakeHost.Vector.class, () -> u.fwait(h)).vector);
    }

    @Test
    void unmaskedExceptionIsReportedByTheNextWaitingInstruction() {
        st.fcw = 0x037B; // ZE unmasked
        loadDouble(1);
        loadDouble(0);
        esc(0xDE, 0xF9); // 1/0: ZE, unmasked: no result, no pop, ES
        assertEquals(X87.ZE | X87.ES | X87.B, st.fsw & (X87.EXC | X87.ES | X87.B));
        assertEquals(6, st.top, "nothing popped");
        esc(0xDF, 0xE0); // FNSTSW AX: no-wait, runs
        assertEquals(st.statusWord(), (int) h.r[0] & 0xFFFF);
        assertEquals(16, assertThrows(FakeHost.Vector.class, () -> u.fwait(h)).vector);
        assertEquals(16, assertThrows(FakeHost.Vector.class, () -> esc(0xD9, 0xE8)).vector);
        h.cr0 &= ~X87Host.CR0_NE;
        assertTrue(assertThrows(FakeHost.Unsupported.class, () -> u.fwait(h)).getMessage().contains("CR0.NE=0"));
        h.cr0 |= X87Host.CR0_NE;
        esc(0xDB, 0xE2); // FNCLEX
        u.fwait(h);
    }

    @Test
    void transcendentalsStopNamingThemselves() {
        loadDouble(1);
        String[] names = {"F2XM1", "FYL2X", "FPTAN", "FPATAN", "FYL2XP1", "FSINCOS", "FSIN", "FCOS"};
        int[] modrm = {0xF0, 0xF1, 0xF2, 0xF3, 0xF9, 0xFB, 0xFE, 0xFF};
        for (int i = 0; i < names.length; i++) {
            int m = modrm[i];
            String msg = assertThrows(FakeHost.Unsupported.class, () -> esc(0xD9, m)).getMessage();
            assertTrue(msg.startsWith(names[i] + " "), msg);
        }
    }

    @Test
    void fisttpNeedsSse3AndUndefinedFormsAreUd() {
        loadDouble(2.75);
        assertEquals(6, assertThrows(FakeHost.Vector.class, () -> escMem(0xDB, 1, 0x100)).vector);
        u.sse3 = true;
        escMem(0xDB, 1, 0x100); // FISTTP m32: truncates
        assertEquals(2, h.read(0x100, 4));
        assertEquals(6, assertThrows(FakeHost.Vector.class, () -> esc(0xD9, 0xD1)).vector);
        assertEquals(6, assertThrows(FakeHost.Vector.class, () -> escMem(0xD9, 1, 0x100)).vector);
    }

    @Test
    void fxrstorChecksAlignmentAndMxcsr() {
        loadDouble(1.5);
        st.simd.mxcsr = 0x9FC0;
        u.fxsave(h, 0x200, true);
        assertEquals(0x9FC0, h.read(0x200 + 24, 4));
        assertEquals(0xFFFF, h.read(0x200 + 28, 4), "MXCSR_MASK");
        assertEquals(1 << 7, h.read(0x200 + 4, 1), "abridged tag: physical register 7 in use");
        assertEquals(13, assertThrows(FakeHost.Vector.class, () -> u.fxsave(h, 0x208, true)).vector);
        assertEquals(13, assertThrows(FakeHost.Vector.class, () -> u.fxrstor(h, 0x208, true)).vector);
        st.init();
        st.simd.mxcsr = 0x1F80;
        h.write(0x200 + 24, 4, 0x10000); // a reserved MXCSR bit
        assertEquals(13, assertThrows(FakeHost.Vector.class, () -> u.fxrstor(h, 0x200, true)).vector);
        assertEquals(0x037F, st.fcw, "nothing restored");
        h.write(0x200 + 24, 4, 0x9FC0);
        u.fxrstor(h, 0x200, true);
        assertEquals(7, st.top);
        assertEquals(1.5, storeDouble());
        assertEquals(0x9FC0, st.simd.mxcsr);
    }

    @Test
    void partialRemainderReducesAsTheHostCpu() {
        // FPREM of (0xD49A784BCD1B8AFE * 2^d) by ln 2, values measured on the recording host (Intel Xeon)
        int[] d = {67, 95, 186};
        F80[] want = {new F80(0x401a, 0xf9b7129cf770d480L), new F80(0x401e, 0xe9e42b545e2baa50L), new F80(0x407b, 0xebeb22cce95a6440L)};
        for (int i = 0; i < d.length; i++) {
            st.init();
            st.top = 6;
            st.empty = 0x3F;
            st.reg[7] = new F80(0x3FFF, 0xb17217f7d1cf79acL);
            st.reg[6] = new F80(0x3FFF + d[i], 0xd49a784bcd1b8afeL);
            esc(0xD9, 0xF8);
            assertEquals(want[i], st.reg[6], "d=" + d[i]);
            assertEquals(0x3400, st.statusWord(), "C2 (incomplete), TOP 6");
        }
    }

    @Test
    void precisionControl53And24MatchJavaDoubleAndFloat() {
        // inside the double/float normal range the x87 with PC=53 (PC=24) and RN rounds as IEEE double (float)
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(0x87);
        Arith a = new Arith();
        for (int i = 0; i < 20_000; i++) {
            double x = Math.scalb(rnd.nextDouble(1, 2), rnd.nextInt(-60, 60)) * (rnd.nextBoolean() ? 1 : -1);
            double y = Math.scalb(rnd.nextDouble(1, 2), rnd.nextInt(-60, 60)) * (rnd.nextBoolean() ? 1 : -1);
            F80 fx = a.fromIeee(Double.doubleToRawLongBits(x), 11, 52), fy = a.fromIeee(Double.doubleToRawLongBits(y), 11, 52);
            assertEquals(x + y, pc(a, 0x027F, () -> a.add(fx, fy, false)), () -> x + " + " + y);
            assertEquals(x - y, pc(a, 0x027F, () -> a.add(fx, fy, true)), () -> x + " - " + y);
            assertEquals(x * y, pc(a, 0x027F, () -> a.mul(fx, fy)), () -> x + " * " + y);
            assertEquals(x / y, pc(a, 0x027F, () -> a.div(fx, fy)), () -> x + " / " + y);
            assertEquals(Math.sqrt(Math.abs(x)), pc(a, 0x027F, () -> a.sqrt(fx.abs())), () -> "sqrt " + x);
            float fa = (float) x, fb = (float) y;
            F80 gx = a.fromIeee(Float.floatToRawIntBits(fa) & 0xFFFFFFFFL, 8, 23), gy = a.fromIeee(Float.floatToRawIntBits(fb) & 0xFFFFFFFFL, 8, 23);
            assertEquals(fa + fb, (float) pc(a, 0x007F, () -> a.add(gx, gy, false)), () -> fa + " + " + fb);
            assertEquals(fa * fb, (float) pc(a, 0x007F, () -> a.mul(gx, gy)), () -> fa + " * " + fb);
            assertEquals(fa / fb, (float) pc(a, 0x007F, () -> a.div(gx, gy)), () -> fa + " / " + fb);
        }
    }

    /** The operation under control word {@code cw}, its result converted exactly to a double. */
    private static double pc(Arith a, int cw, java.util.function.Supplier<F80> op) {
        a.begin(cw);
        F80 v = op.get();
        return toDouble(a, v);
    }

    private static double toDouble(Arith a, F80 v) {
        a.begin(0x037F);
        return Double.longBitsToDouble(a.toIeee(v, 11, 52));
    }
}
