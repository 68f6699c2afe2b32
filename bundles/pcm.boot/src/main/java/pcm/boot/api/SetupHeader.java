package pcm.boot.api;

/**
 * The fields of a bzImage's setup header (Documentation/arch/x86/boot.rst) the loader uses.
 * {@code payloadOffset} is relative to the file (the protected-mode code starts at
 * {@code (setupSects + 1) * 512}); {@code protocol} is e.g. 0x020F for 2.15.
 */
public record SetupHeader(int setupSects, int protocol, int loadFlags, int xloadFlags, long initrdAddrMax,
                          long kernelAlignment, boolean relocatable, long prefAddress, long initSize, int cmdlineSize,
                          long payloadOffset, long payloadLength, int headerEnd) {

    /** loadflags bit 0: the protected-mode code is loaded at 0x100000. */
    public static final int LOADED_HIGH = 0x01;
    /** xloadflags bit 0: the kernel has the 64-bit entry point at its start + 0x200. */
    public static final int XLF_KERNEL_64 = 0x01;
    /** xloadflags bit 1: kernel, boot_params, command line and initrd may sit above 4 GiB. */
    public static final int XLF_CAN_BE_LOADED_ABOVE_4G = 0x02;

    /** Offset in the file where the protected-mode kernel starts. */
    public long protectedModeOffset() { return (setupSects + 1L) * 512; }

    public String protocolVersion() { return (protocol >> 8) + "." + (protocol & 0xFF); }
}
