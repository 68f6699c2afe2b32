package pcm.softcpu.internal.x87;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The x87 vendor models ({@link FpuVendor}) pinned byte for byte, on any host: the FXSAVE and FNSTENV images each
 * model stores after the same instructions. The AMD expectations are what an AMD EPYC (Zen, XSAVEERPTR) stored in
 * the same situations, natively in user mode (module README, "x87 vendor model"); the Intel ones the Intel
 * model's documented and measured rules (FDP_EXCPTN_ONLY, FCS/FDS deprecated).
 */
class FpuVendorImageTest {

    private final X87State st = new X87State();
    private final X87Unit u = new X87Unit(st);
    private final FakeHost h = new FakeHost();

    private static final long FXIMG = 0x200, OUT = 0x400, ENV = 0x600, DATA = 0x100;

    /** An escape instruction with a [R15+disp32]-style memory operand (ModRM mod 2, rm 7) at {@code rip}. */
    private void escMem(int op, int reg, long ea, long rip) { u.escape(h, op, 2, reg, 7, ea, ea, rip, false); }

    private void fnstenv() { escMem(0xD9, 6, ENV, 0x3000); }

    private void fldcw(int cw) {
        h.write(0x180, 2, cw);
        escMem(0xD9, 5, 0x180, 0x3100);
    }

    /** FXRSTOR64 of an image with FCW 037F, FSW 0 (ES clear), FOP 123h, FIP 11223344h, FDP 55667788h. */
    private void restorePointers(boolean wide) {
        byte[] img = new byte[512];
        X87Env.put(img, 0, 2, 0x037F);
        X87Env.put(img, 6, 2, 0x123);
        X87Env.put(img, 8, 4, 0x11223344L);
        X87Env.put(img, 16, 4, 0x55667788L);
        if (!wide) {
            X87Env.put(img, 12, 2, 0x1234); // FCS
            X87Env.put(img, 20, 2, 0x4321); // FDS
        }
        X87Env.put(img, 24, 4, 0x1F80);
        for (int i = 0; i < 512; i++) h.write(FXIMG + i, 1, img[i]);
        u.fxrstor(h, FXIMG, wide);
    }

    private byte[] mem(long at, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) b[i] = (byte) h.read(at + i, 1);
        return b;
    }

    private static byte[] bytes(long... dwords) {
        byte[] b = new byte[dwords.length * 4];
        for (int i = 0; i < dwords.length; i++) X87Env.put(b, 4 * i, 4, dwords[i]);
        return b;
    }

    /** FXSAVE bytes 0-31: FCW FSW FTW . FOP | FIP (8) | FDP (8) | MXCSR MXCSR_MASK. */
    private byte[] fxsaveHead(boolean wide) {
        u.fxsave(h, OUT, wide);
        return mem(OUT, 32);
    }

    @Test
    void restoredPointersWhileEsIsClear() {
        for (FpuVendor v : FpuVendor.values()) {
            st.setVendor(v);
            restorePointers(true);
            byte[] fx = fxsaveHead(true);
            // AMD: FXSAVE stores no pointers while ES = 0 (measured: zeros); Intel stores them
            byte[] expect = v == FpuVendor.AMD
                    ? bytes(0x0000037FL, 0, 0, 0, 0, 0, 0x1F80, 0x2FFFF)
                    : bytes(0x0000037FL, 0x01230000L, 0x11223344L, 0, 0x55667788L, 0, 0x1F80, 0xFFFF);
            assertArrayEquals(expect, fx, v + " FXSAVE64");
            fnstenv(); // both store the restored pointers (AMD measured: "fop|fcs=01230000", FDS 0 in 64-bit FXRSTOR)
            assertArrayEquals(bytes(0xFFFF037FL, 0xFFFF0000L, 0xFFFFFFFFL, 0x11223344L, 0x01230000L, 0x55667788L, 0xFFFF0000L),
                    mem(ENV, 28), v + " FNSTENV");
        }
    }

    @Test
    void legacyFxrstorSelectors() {
        st.setVendor(FpuVendor.AMD);
        restorePointers(false);
        fnstenv(); // measured: "fxrstor32 FCS=1234 FDS=4321 ES=0 ... fop|fcs=00001234 ... fds=ffff4321" (FOP 123h here)
        assertArrayEquals(bytes(0xFFFF037FL, 0xFFFF0000L, 0xFFFFFFFFL, 0x11223344L, 0x01231234L, 0x55667788L, 0xFFFF4321L),
                mem(ENV, 28));
        st.setVendor(FpuVendor.INTEL);
        restorePointers(false);
        fnstenv(); // Intel deprecates FCS/FDS: stored as 0
        assertArrayEquals(bytes(0xFFFF037FL, 0xFFFF0000L, 0xFFFFFFFFL, 0x11223344L, 0x01230000L, 0x55667788L, 0xFFFF0000L),
                mem(ENV, 28));
    }

    @Test
    void aMaskedLoadUpdatesThePointersByVendor() {
        for (FpuVendor v : FpuVendor.values()) {
            st.setVendor(v);
            restorePointers(true);
            h.write(DATA, 8, Double.doubleToRawLongBits(1.5));
            escMem(0xDD, 0, DATA, 0x1000); // FLD m64 (FOP 587h), no exception
            fnstenv();
            byte[] expect = v == FpuVendor.AMD
                    // FIP, FCS (CS 33h), FOP, FDP and FDS (the operand's segment, 2Bh here) of the FLD (measured)
                    ? bytes(0xFFFF037FL, 0xFFFF3800L, 0xFFFF3FFFL, 0x1000, 0x05870033L, DATA, 0xFFFF002BL)
                    // FIP only: FOP and FDP change only on an unmasked exception
                    : bytes(0xFFFF037FL, 0xFFFF3800L, 0xFFFF3FFFL, 0x1000, 0x01230000L, 0x55667788L, 0xFFFF0000L);
            assertArrayEquals(expect, mem(ENV, 28), v.name());
        }
    }

    @Test
    void unmaskingAPendingFlagShowsTheLastInstructionsPointersOnAmd() {
        st.setVendor(FpuVendor.AMD);
        u.s.init();
        h.write(DATA, 8, Double.doubleToRawLongBits(1));
        h.write(DATA + 8, 8, Double.doubleToRawLongBits(3));
        escMem(0xDD, 0, DATA, 0x1000); // FLD 1.0
        escMem(0xDC, 6, DATA + 8, 0x1007); // FDIV m64 3.0: PE, masked
        assertArrayEquals(bytes(0x0000037FL, 0, 0, 0, 0, 0, 0x1F80, 0x2FFFF), mask(fxsaveHead(false), 0x3F20),
                "ES clear: FXSAVE stores no pointers");
        fldcw(0x035F); // PE unmasked: ES set by the flag already there (measured: "fldcw unmask PE -> ES=1")
        byte[] fx = fxsaveHead(false);
        assertEquals(0x80A0, X87Env.get(fx, 2, 2) & 0xC0FF, "ES, B, PE");
        // the FDIV's pointers, FCS and FDS in the legacy format (measured: "fop=0435 ... fcs 0033")
        assertEquals(0x04B7, X87Env.get(fx, 6, 2));
        assertEquals(0x1007, X87Env.get(fx, 8, 4));
        assertEquals(0x33, X87Env.get(fx, 12, 2));
        assertEquals(DATA + 8, X87Env.get(fx, 16, 4));
        assertEquals(0x2B, X87Env.get(fx, 20, 2));
    }

    /** The head with the status word reduced to {@code fswBits} and the tag byte cleared (what the case does not pin). */
    private static byte[] mask(byte[] head, int fswBits) {
        byte[] b = head.clone();
        X87Env.put(b, 2, 2, X87Env.get(b, 2, 2) & ~fswBits);
        b[4] = 0;
        return b;
    }

    @Test
    void mxcsrMaskAndMmBit() {
        st.setVendor(FpuVendor.INTEL);
        assertEquals(0xFFFF, st.simd.mxcsrMask);
        byte[] img = new byte[512];
        X87Env.put(img, 24, 4, 0x21F80);
        assertEquals(true, st.mxcsrReserved(img), "Intel: MM is reserved (#GP)");
        st.setVendor(FpuVendor.AMD);
        assertEquals(0x2FFFF, st.simd.mxcsrMask);
        assertEquals(false, st.mxcsrReserved(img), "AMD: MM loads");
        X87Env.put(img, 24, 4, 0x41F80);
        assertEquals(true, st.mxcsrReserved(img), "bit 18 is reserved on both");
    }
}
