package pcm.softcpu.internal.x87;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The x87 FPU's architectural state (SDM vol. 1 §8.1): the eight data registers (physical order), the
 * control word, the status word (TOP kept apart in {@link #top}), which registers are empty (the tag
 * word is derived from the contents, as FSTENV/FSAVE store it), and the last instruction and data
 * pointers with the last opcode. Also the FXSAVE image (SDM vol. 1 §10.5.1, Table 10-2/10-3).
 */
public final class X87State {

    public final F80[] reg = new F80[8];
    public int fcw = 0x037F;
    /** Status word without TOP (bits 11-13 zero here). */
    public int fsw;
    public int top;
    /** Bit i set: physical register i is empty. */
    public int empty = 0xFF;
    public long fip, fdp;
    public int fop, fcs, fds;
    public final SimdState simd = new SimdState();
    /** The vendor model of the pointers and MXCSR_MASK ({@link #setVendor}). */
    private FpuVendor vendor = FpuVendor.INTEL;

    public X87State() {
        java.util.Arrays.fill(reg, F80.POS_ZERO);
    }

    public FpuVendor vendor() { return vendor; }

    /** Selects the vendor model (pointer rules, MXCSR_MASK); the state itself is kept. */
    public void setVendor(FpuVendor v) {
        vendor = v;
        simd.mxcsrMask = v.mxcsrMask;
    }

    /** FNINIT / reset. */
    public void init() {
        fcw = 0x037F;
        fsw = 0;
        top = 0;
        empty = 0xFF;
        fip = fdp = 0;
        fop = fcs = fds = 0;
    }

    public int statusWord() { return (fsw & ~(7 << X87.TOP_SHIFT)) | top << X87.TOP_SHIFT; }

    public void setStatusWord(int sw) {
        fsw = sw & 0xFFFF & ~(7 << X87.TOP_SHIFT);
        top = (sw >> X87.TOP_SHIFT) & 7;
    }

    /** ES and B follow the unmasked exception flags (after FLDCW, FLDENV, FRSTOR, FXRSTOR). */
    public void updateSummary() {
        if ((fsw & ~fcw & X87.EXC) != 0) fsw |= X87.ES | X87.B;
        else fsw &= ~(X87.ES | X87.B);
    }

    /** The full tag word: 2 bits per physical register (0 valid, 1 zero, 2 special, 3 empty). */
    public int tagWord() {
        int t = 0;
        for (int i = 0; i < 8; i++) t |= ((empty >> i & 1) != 0 ? 3 : reg[i].tag()) << (2 * i);
        return t;
    }

    public void setTagWord(int tw) {
        empty = 0;
        for (int i = 0; i < 8; i++) if ((tw >> (2 * i) & 3) == 3) empty |= 1 << i;
    }

    /** FXSAVE's abridged tag: bit i set when physical register i is not empty. */
    public int abridgedTag() { return ~empty & 0xFF; }

    // ---- FXSAVE image ----

    /**
     * The FXSAVE instruction's image over {@code into}: the state ({@link #saveState}), MXCSR_MASK and zeros in
     * the reserved bytes among them (bytes 416-511 are kept).
     */
    public void fxsave(byte[] into, boolean wide) {
        saveState(into, wide);
        ByteBuffer b = ByteBuffer.wrap(into).order(ByteOrder.LITTLE_ENDIAN);
        into[5] = 0;
        if (!wide) {
            b.putShort(14, (short) 0);
            b.putShort(22, (short) 0);
        }
        b.putInt(28, simd.mxcsrMask);
        for (int i = 0; i < 8; i++) for (int k = 10; k < 16; k++) into[32 + 16 * i + k] = 0;
    }

    /**
     * The state fields of the FXSAVE image over {@code into}, every other byte kept (the VirtualCpu API's
     * image: MXCSR_MASK and reserved bytes are not state); {@code wide}: the REX.W form (64-bit FIP/FDP),
     * else FIP/FDP 32 bits with FCS/FDS. The pointers as the vendor model's FXSAVE stores them (AMD: zero while
     * FSW.ES is clear), so the VirtualCpu image equals what KVM reports on that vendor.
     */
    public void saveState(byte[] into, boolean wide) {
        ByteBuffer b = ByteBuffer.wrap(into).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short) fcw);
        b.putShort(2, (short) statusWord());
        into[4] = (byte) abridgedTag();
        b.putShort(6, (short) fop);
        if (wide) {
            b.putLong(8, fip);
            b.putLong(16, fdp);
        } else {
            b.putInt(8, (int) fip);
            b.putShort(12, (short) fcs);
            b.putInt(16, (int) fdp);
            b.putShort(20, (short) fds);
        }
        if (vendor == FpuVendor.AMD && (fsw & X87.ES) == 0) {
            // AMD saves FOP, FIP/FCS and FDP/FDS only while an unmasked exception is pending (APM vol. 5, FXSAVE;
            // measured for FXSAVE and the kernel's XSAVE): zeros over either format
            b.putShort(6, (short) 0);
            b.putLong(8, 0);
            b.putLong(16, 0);
        }
        b.putInt(24, simd.mxcsr);
        for (int i = 0; i < 8; i++) {
            F80 v = reg[(top + i) & 7];
            b.putLong(32 + 16 * i, v.m());
            b.putShort(40 + 16 * i, (short) v.se());
        }
        System.arraycopy(simd.xmm, 0, into, 160, 256);
    }

    /** Whether an FXRSTOR image's MXCSR sets bits outside this model's MXCSR_MASK (#GP). */
    public boolean mxcsrReserved(byte[] image) {
        int mx = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN).getInt(24);
        return (mx & ~simd.mxcsrMask) != 0;
    }

    /** FXRSTOR (the caller checked {@link #mxcsrReserved}). */
    public void fxrstor(byte[] image, boolean wide) {
        ByteBuffer b = ByteBuffer.wrap(image).order(ByteOrder.LITTLE_ENDIAN);
        fcw = b.getShort(0) & 0xFFFF;
        setStatusWord(b.getShort(2) & 0xFFFF);
        if (vendor == FpuVendor.AMD) {
            // AMD loads FCW as FLDCW does and derives ES and B from the flags and masks (measured); Intel loads both
            // words as they are
            fcw = fcw & 0x1F3F | 0x40;
            updateSummary();
        }
        empty = ~image[4] & 0xFF;
        fop = b.getShort(6) & 0x7FF;
        if (wide) {
            fip = b.getLong(8);
            fdp = b.getLong(16);
            if (vendor == FpuVendor.AMD) { // AMD keeps 57 bits, sign-extended from bit 56 (measured, the LA57 width)
                fip = fip << 7 >> 7;
                fdp = fdp << 7 >> 7;
            }
            fcs = fds = 0;
        } else {
            fip = b.getInt(8) & 0xFFFFFFFFL;
            fdp = b.getInt(16) & 0xFFFFFFFFL;
            if (vendor == FpuVendor.AMD) { // AMD keeps the selectors (measured)
                fcs = b.getShort(12) & 0xFFFF;
                fds = b.getShort(20) & 0xFFFF;
            } else {
                fcs = fds = 0; // Intel deprecates FCS/FDS (CPUID.7.0:EBX[13]): kept zero
            }
        }
        simd.mxcsr = b.getInt(24);
        int t = top;
        for (int i = 0; i < 8; i++) reg[(t + i) & 7] = new F80(b.getShort(40 + 16 * i), b.getLong(32 + 16 * i));
        System.arraycopy(image, 160, simd.xmm, 0, 256);
    }
}
