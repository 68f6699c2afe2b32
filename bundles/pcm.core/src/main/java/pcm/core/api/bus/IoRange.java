package pcm.core.api.bus;

/** A half-open range {@code [base, base + length)} in one address space. */
public record IoRange(AddressSpace space, long base, long length) {

    public IoRange {
        if (space == null) throw new IllegalArgumentException("address space missing");
        if (length <= 0) throw new IllegalArgumentException("empty range at 0x" + Long.toHexString(base));
        if (base < 0 || base + length < base) throw new IllegalArgumentException("range wraps: 0x" + Long.toHexString(base));
        if (space == AddressSpace.PIO && base + length > 0x10000)
            throw new IllegalArgumentException("port range beyond 0xffff: 0x" + Long.toHexString(base));
    }

    public static IoRange pio(int base, int length) { return new IoRange(AddressSpace.PIO, base, length); }

    public static IoRange mmio(long base, long length) { return new IoRange(AddressSpace.MMIO, base, length); }

    public long end() { return base + length; }

    public boolean contains(long address) { return address >= base && address < base + length; }

    public boolean overlaps(IoRange other) {
        return space == other.space && base < other.end() && other.base < end();
    }

    @Override
    public String toString() {
        return space + "[0x" + Long.toHexString(base) + "-0x" + Long.toHexString(end() - 1) + "]";
    }
}
