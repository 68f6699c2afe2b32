package pcm.core.api.memory;

/** A guest physical access outside RAM (or straddling a region end). */
public class GuestMemoryException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final long address;
    private final long length;

    public GuestMemoryException(long address, long length, String why) {
        super("guest physical access 0x" + Long.toHexString(address) + "+" + length + ": " + why);
        this.address = address;
        this.length = length;
    }

    public long address() { return address; }

    public long length() { return length; }
}
