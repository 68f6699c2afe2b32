package pcm.core.api.cpu;

/**
 * A backend operation failed. For KVM the message names the ioctl and the errno
 * (e.g. "KVM_SET_SREGS failed: EINVAL (22)").
 */
public class BackendException extends Exception {
    private static final long serialVersionUID = 1L;
    private final int errno;

    public BackendException(String message) { this(message, 0); }

    public BackendException(String message, int errno) {
        super(message);
        this.errno = errno;
    }

    public BackendException(String message, Throwable cause) {
        super(message, cause);
        this.errno = 0;
    }

    /** The OS error number, 0 if not an OS error. */
    public int errno() { return errno; }
}
