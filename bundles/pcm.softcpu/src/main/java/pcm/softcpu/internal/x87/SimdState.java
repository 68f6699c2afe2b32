package pcm.softcpu.internal.x87;

/**
 * The SSE register file as FXSAVE/FXRSTOR see it: XMM0-15 and MXCSR. A neutral holder until the SSE
 * instructions own it (issue 13 item 2); the x87 unit only saves and restores it.
 */
public final class SimdState {

    /**
     * MXCSR bits this CPU implements (DAZ included): FXSAVE's MXCSR_MASK; any other bit set on load is #GP. The
     * vendor model's ({@link FpuVendor#mxcsrMask}), set with {@link X87State#setVendor}.
     */
    public int mxcsrMask = FpuVendor.INTEL.mxcsrMask;
    public static final int MXCSR_DEFAULT = 0x1F80;

    /** XMM0-15, 16 bytes each, little endian. */
    public final byte[] xmm = new byte[256];
    public int mxcsr = MXCSR_DEFAULT;

    /** Reset state (power-on / INIT): XMM zero, MXCSR 0x1F80. */
    public void reset() {
        java.util.Arrays.fill(xmm, (byte) 0);
        mxcsr = MXCSR_DEFAULT;
    }
}
