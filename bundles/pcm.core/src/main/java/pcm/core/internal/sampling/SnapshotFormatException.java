package pcm.core.internal.sampling;

import java.io.IOException;
import java.nio.file.Path;

import pcm.core.api.sampling.WindowDamagedException;

/** A snapshot file that cannot be read: not one, cut short, damaged, or of an unknown version. */
final class SnapshotFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final WindowDamagedException.Problem problem;
    private final long offset;

    SnapshotFormatException(Path file, WindowDamagedException.Problem problem, long offset, String message) {
        super(file.getFileName() + ": " + message + (offset >= 0 ? " (at byte " + offset + ")" : ""));
        this.file = file;
        this.problem = problem;
        this.offset = offset;
    }

    Path file() { return file; }

    WindowDamagedException.Problem problem() { return problem; }

    /** File offset of the problem, -1 if it concerns the whole file. */
    long offset() { return offset; }
}
