package pcm.core.api.bus;

/** A device's range overlaps a range already on the bus. */
public class IoRangeConflictException extends Exception {
    private static final long serialVersionUID = 1L;
    private final IoRange requested;
    private final IoRange existing;

    public IoRangeConflictException(IoRange requested, IoRange existing, String existingOwner) {
        super("I/O range " + requested + " overlaps " + existing + " of " + existingOwner);
        this.requested = requested;
        this.existing = existing;
    }

    public IoRange requested() { return requested; }

    public IoRange existing() { return existing; }
}
