package pcm.devices.api.pci;

/**
 * One base address register a function asks for. Sizes are powers of two (memory at least 16 bytes, I/O at
 * least 4 and at most 256); a 64-bit memory BAR takes two register slots ({@code index} and {@code index + 1}).
 */
public record PciBar(int index, Kind kind, long size) {

    public enum Kind { MEMORY32, MEMORY64, IO }

    public PciBar {
        if (kind == null) throw new IllegalArgumentException("BAR kind missing");
        int last = kind == Kind.MEMORY64 ? 4 : 5;
        if (index < 0 || index > last) throw new IllegalArgumentException("BAR index " + index + " out of 0.." + last + " for " + kind);
        if (Long.bitCount(size) != 1) throw new IllegalArgumentException("BAR size " + size + " is not a power of two");
        if (kind == Kind.IO && (size < 4 || size > 256)) throw new IllegalArgumentException("I/O BAR size " + size + " not in 4..256");
        if (kind != Kind.IO && size < 16) throw new IllegalArgumentException("memory BAR size " + size + " below 16");
        if (kind == Kind.MEMORY32 && size > 1L << 30) throw new IllegalArgumentException("32-bit memory BAR of " + size + " bytes is too big");
    }

    public boolean isMemory() { return kind != Kind.IO; }
}
