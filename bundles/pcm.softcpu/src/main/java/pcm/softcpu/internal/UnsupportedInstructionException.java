package pcm.softcpu.internal;

import java.util.HexFormat;

/**
 * The soft CPU met an instruction (or a form of one) it does not implement. It stops instead of
 * guessing: the vCPU reports a {@code VmExit.InternalError} with this message.
 */
public final class UnsupportedInstructionException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final long rip;
    private final byte[] bytes;

    public UnsupportedInstructionException(long rip, byte[] bytes, String what) {
        super("unsupported instruction" + (what == null || what.isEmpty() ? "" : " (" + what + ")") + " at rip=0x"
                + Long.toHexString(rip) + " bytes=" + HexFormat.ofDelimiter(" ").formatHex(bytes));
        this.rip = rip;
        this.bytes = bytes.clone();
    }

    /** Address of the instruction. */
    public long rip() { return rip; }

    /** The instruction's bytes as fetched (up to 15). */
    public byte[] bytes() { return bytes.clone(); }
}
