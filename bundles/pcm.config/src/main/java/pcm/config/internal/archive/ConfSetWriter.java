package pcm.config.internal.archive;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;

import pcm.config.internal.settings.SettingsFile;

/**
 * Writes a set of {@code conf/} files as one: every new file is written in full into the scratch directory first (not
 * watched by FileInstall, same file system), then each is renamed into place; a file to remove is renamed out into the
 * scratch directory. If one rename fails, the ones done are put back as they were (the old bytes, or no file), so
 * FileInstall ends up seeing either the whole set or, for a moment, part of it and then the old files again — never
 * half a file, and never a set left half-written.
 */
final class ConfSetWriter {

    /** A rename; tests make one fail. */
    @FunctionalInterface
    interface Mover {
        void move(Path from, Path to) throws IOException;
    }

    static final Mover ATOMIC = (from, to) -> {
        try {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    };

    /** A file to write with these properties, or ({@code props} null) to remove. */
    record FileWrite(Path target, Hashtable<String, Object> props) {
        boolean removal() {
            return props == null;
        }
    }

    private record Staged(FileWrite write, byte[] old, Path tmp) {}

    private final Path scratchDir;
    private final Mover mover;

    ConfSetWriter(Path scratchDir, Mover mover) {
        this.scratchDir = scratchDir;
        this.mover = mover;
    }

    /** All or nothing: on an IOException every target is as it was before the call. */
    void apply(List<FileWrite> writes) throws IOException {
        Files.createDirectories(scratchDir);
        List<Staged> staged = new ArrayList<>();
        try {
            for (FileWrite w : writes) {
                byte[] old = Files.exists(w.target()) ? Files.readAllBytes(w.target()) : null;
                Path tmp = Files.createTempFile(scratchDir, "conf-set", ".tmp");
                staged.add(new Staged(w, old, tmp));
                if (!w.removal()) {
                    Files.createDirectories(w.target().getParent());
                    Files.write(tmp, SettingsFile.render(w.target(), w.props()));
                }
            }
            List<Staged> done = new ArrayList<>();
            for (Staged s : staged) {
                try {
                    if (!s.write().removal()) mover.move(s.tmp(), s.write().target());
                    else if (s.old() != null) mover.move(s.write().target(), s.tmp());
                    done.add(s);
                } catch (IOException e) {
                    rollBack(done, e);
                    throw e;
                }
            }
        } finally {
            for (Staged s : staged) Files.deleteIfExists(s.tmp());
        }
    }

    private void rollBack(List<Staged> done, IOException cause) {
        for (Staged s : done.reversed()) {
            try {
                if (s.old() == null) Files.deleteIfExists(s.write().target());
                else {
                    Path back = Files.createTempFile(scratchDir, "conf-back", ".tmp");
                    Files.write(back, s.old());
                    ATOMIC.move(back, s.write().target());
                }
            } catch (IOException e) {
                cause.addSuppressed(new IOException("could not put back " + s.write().target() + ": " + e.getMessage(), e));
            }
        }
    }
}
