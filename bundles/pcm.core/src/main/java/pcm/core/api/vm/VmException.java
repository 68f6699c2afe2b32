package pcm.core.api.vm;

/** A VM operation that does not fit the VM's state or that the backend refused. */
public class VmException extends Exception {
    private static final long serialVersionUID = 1L;

    public VmException(String message) { super(message); }

    public VmException(String message, Throwable cause) { super(message, cause); }
}
