package pcm.boot.api;

import pcm.core.api.vm.VmException;

/** A kernel or initrd that cannot be booted; {@link #problem()} says what kind of defect, the message where. */
public final class BootImageException extends VmException {

    private static final long serialVersionUID = 1L;

    /** What was wrong. */
    public enum Problem {
        /** The file could not be read. */
        UNREADABLE,
        /** The file ends before a structure it declares. */
        TRUNCATED,
        /** Neither a bzImage ("HdrS" setup header) nor an ELF64 x86-64 executable. */
        BAD_MAGIC,
        /** A boot protocol or ELF feature this loader does not take (too old, not 64-bit, ...). */
        UNSUPPORTED,
        /** An offset or length that points outside the file or the guest's RAM. */
        BAD_OFFSET,
        /** The payload's compression is not one this loader decodes. */
        UNSUPPORTED_COMPRESSION,
        /** The payload does not decompress. */
        CORRUPT_PAYLOAD,
        /** Kernel, initrd and boot structures do not fit in the guest's RAM. */
        DOES_NOT_FIT,
        /** The command line is longer than the kernel accepts. */
        COMMAND_LINE_TOO_LONG
    }

    private final Problem problem;

    public BootImageException(Problem problem, String message) {
        super(problem + ": " + message);
        this.problem = problem;
    }

    public BootImageException(Problem problem, String message, Throwable cause) {
        super(problem + ": " + message, cause);
        this.problem = problem;
    }

    public Problem problem() { return problem; }
}
