package pcm.ui.internal.evidence;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;

import pcm.ui.api.evidence.EvidenceBundle;
import pcm.ui.api.evidence.EvidenceException;
import pcm.ui.api.evidence.EvidenceException.Problem;

/**
 * Puts the window of a checked evidence bundle into a store: each file is copied out of the archive (checked again on
 * the way) under a temporary name no window has, flushed, then renamed to its stored name — the event log last, since
 * the store lists a window by its log. A window of the same id is refused unless {@code replace}: then its files and
 * its verdict file go first.
 */
public final class WindowImport {

    static final String EVENT_LOG = "_events.pcmlog";

    private WindowImport() {}

    public static EvidenceBundle into(Path archive, Path dir, Path verdictDir, boolean replace) throws EvidenceException {
        EvidenceReader.Checked c = EvidenceReader.check(archive);
        String id = c.bundle().windowId();
        List<Path> existing = windowFiles(dir, id);
        if (!existing.isEmpty() && !replace)
            throw new EvidenceException(Problem.WINDOW_EXISTS, "the store " + dir + " has a window " + id + " already ("
                    + existing.size() + " files); import with --replace to overwrite it");
        List<Path[]> moves = new ArrayList<>();
        try {
            Files.createDirectories(dir);
            // the store's rule: a window id between two underscores; ".import-<uuid>.tmp" has none
            for (var e : c.windowFiles().entrySet()) {
                Path tmp = dir.resolve(".import-" + UUID.randomUUID() + ".tmp");
                moves.add(new Path[] {tmp, dir.resolve(e.getKey())});
                EvidenceReader.extract(archive, e.getValue(), tmp);
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
            }
            if (replace) {
                for (Path p : existing) Files.deleteIfExists(p);
                Files.deleteIfExists(verdictDir.resolve(id + ".verdicts"));
            }
            moves.sort(Comparator.comparing(m -> m[1].getFileName().toString().contains(EVENT_LOG)));
            for (Path[] m : moves) move(m[0], m[1]);
        } catch (IOException e) {
            throw new EvidenceException(Problem.FAILED, null, "cannot import window " + id + " into " + dir + ": " + e, e);
        } finally {
            for (Path[] m : moves) {
                try {
                    Files.deleteIfExists(m[0]);
                } catch (IOException ignored) {
                    // a leftover .tmp names no window
                }
            }
        }
        return c.bundle();
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** The window's files as stored, without temporaries being written ({@code .part}). */
    public static List<Path> windowFiles(Path dir, String id) throws EvidenceException {
        if (!Files.isDirectory(dir)) return List.of();
        try (var s = Files.list(dir)) {
            return s.filter(p -> {
                String n = p.getFileName().toString();
                return id.equals(EvidenceFormat.idOf(n)) && !n.endsWith(".part") && Files.isRegularFile(p);
            }).sorted().toList();
        } catch (IOException e) {
            throw new EvidenceException(Problem.FAILED, null, "cannot list " + dir + ": " + e, e);
        }
    }
}
