package pcm.boot.api;

/** One entry of the e820 memory map the zero page carries. */
public record E820Entry(long address, long size, int type) {
    public static final int RAM = 1, RESERVED = 2, ACPI = 3, NVS = 4;

    public long end() { return address + size; }
}
