package pcm.core.api.bus;

/** The two x86 address spaces devices live in. */
public enum AddressSpace {
    /** 16-bit I/O ports (IN/OUT). */
    PIO,
    /** Guest physical addresses not backed by RAM. */
    MMIO
}
