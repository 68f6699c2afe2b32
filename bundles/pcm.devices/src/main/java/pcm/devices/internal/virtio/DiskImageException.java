package pcm.devices.internal.virtio;

import java.nio.file.Path;

/** The virtio-blk image cannot be used; {@link #problem()} says why, the message names the file. */
public final class DiskImageException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public enum Problem { NOT_CONFIGURED, MISSING, NOT_A_FILE, UNREADABLE, NOT_WRITABLE, TOO_SMALL }

    private final Problem problem;

    public DiskImageException(Problem problem, Path image, String detail, Throwable cause) {
        super("virtio-blk image " + (image == null ? "(none)" : image) + ": " + problem + " (" + detail + ")", cause);
        this.problem = problem;
    }

    public Problem problem() { return problem; }
}
