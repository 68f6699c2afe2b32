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
 * the way) under a temporary name no window has, flushed, then renamed to its stored name — the page-store files
 * ({@code <store>/pages/}) first, then the window's files, the event log last, since the store lists a window by its
 * log: a window never appears without its pages. All of it under the store's {@link Hold} (pcm.core's
 * {@code Sampler.holdForImport}), so the store's page sweep and orphan clean-up, which run after every stored window,
 * take neither the new pages nor the window's snapshot files before its log lands. A page file the store has already
 * is kept when its bytes are the bundle's, and refused (naming it) when they differ. A window of the same id is
 * refused unless {@code replace}: then its files and its verdict file go first.
 */
public final class WindowImport {

    static final String EVENT_LOG = "_events.pcmlog";
    /** The store's page directory, as pcm.core names it ({@code Sampler.windowFiles}). */
    static final String PAGES = "pages";

    /** Holds a window and its pages against the store's clean-ups while it is imported. */
    @FunctionalInterface
    public interface Hold {
        /** @param pageFiles relative to the store: {@code pages/<sha256>.page} */
        Held hold(String windowId, List<Path> pageFiles) throws EvidenceException;
    }

    /** A hold, until closed; it checks each page file before it goes into the store. */
    public interface Held extends AutoCloseable {
        /** Refuses (naming the member) a file that is not the page its name says: other windows would get its bytes. */
        void checkPage(Path pageFile, Path file, String member) throws EvidenceException;

        @Override
        void close();
    }

    /**
     * For a store no PCM runs on (unit tests): no sweep can run meanwhile, and nobody checks the pages' content here (the
     * manifest's SHA-256 covers each member; pcm.core re-checks each page against its name on every load).
     */
    public static final Hold NO_HOLD = (id, pages) -> new Held() {
        @Override public void checkPage(Path pageFile, Path file, String member) {}
        @Override public void close() {}
    };

    private WindowImport() {}

    public static EvidenceBundle into(Path archive, Path dir, Path verdictDir, boolean replace) throws EvidenceException {
        return into(archive, dir, verdictDir, replace, NO_HOLD);
    }

    public static EvidenceBundle into(Path archive, Path dir, Path verdictDir, boolean replace, Hold hold) throws EvidenceException {
        EvidenceReader.Checked c = EvidenceReader.check(archive);
        String id = c.bundle().windowId();
        List<Path> existing = windowFiles(dir, id);
        if (!existing.isEmpty() && !replace)
            throw new EvidenceException(Problem.WINDOW_EXISTS, "the store " + dir + " has a window " + id + " already ("
                    + existing.size() + " files); import with --replace to overwrite it");
        List<Path[]> moves = new ArrayList<>();
        Path pagesDir = dir.resolve(PAGES);
        List<Path> pageNames = c.pageFiles().keySet().stream().map(n -> Path.of(PAGES, n)).toList();
        try (Held held = hold.hold(id, pageNames)) {
            Files.createDirectories(dir);
            if (!c.pageFiles().isEmpty()) Files.createDirectories(pagesDir);
            // the store's rules: a window id between two underscores, a page named <sha256>.page; ".import-<uuid>.tmp" is neither
            java.util.Map<EvidenceBundle.Member, Path> extracts = new java.util.LinkedHashMap<>();
            for (var e : c.pageFiles().entrySet()) {
                Path stored = pagesDir.resolve(e.getKey());
                if (Files.exists(stored)) {
                    String has = EvidenceReader.sha256(stored);
                    if (!has.equals(e.getValue().sha256()))
                        throw new EvidenceException(Problem.FAILED, e.getValue().path(), "cannot import window " + id + " into " + dir
                                + ": the store's page file " + stored + " differs from the bundle's " + e.getValue().path()
                                + " (SHA-256 " + has + ", the bundle's " + e.getValue().sha256() + ")", null);
                    continue; // the same page file: kept
                }
                Path tmp = pagesDir.resolve(".import-" + UUID.randomUUID() + ".tmp");
                moves.add(new Path[] {tmp, stored});
                extracts.put(e.getValue(), tmp);
            }
            for (var e : c.windowFiles().entrySet()) {
                Path tmp = dir.resolve(".import-" + UUID.randomUUID() + ".tmp");
                moves.add(new Path[] {tmp, dir.resolve(e.getKey())});
                extracts.put(e.getValue(), tmp);
            }
            EvidenceReader.extractAll(archive, extracts);
            for (Path tmp : extracts.values()) {
                try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                    ch.force(true);
                }
            }
            for (var e : extracts.entrySet()) {
                String member = e.getKey().path();
                if (member.startsWith(EvidenceFormat.PAGES_DIR))
                    held.checkPage(Path.of(PAGES, member.substring(EvidenceFormat.PAGES_DIR.length())), e.getValue(), member);
            }
            if (replace) {
                for (Path p : existing) Files.deleteIfExists(p);
                Files.deleteIfExists(verdictDir.resolve(id + ".verdicts"));
            }
            // pages, then the window's files, its log last (a stable sort keeps the pages first)
            moves.sort(Comparator.comparing((Path[] m) -> !m[1].getParent().equals(pagesDir))
                    .thenComparing(m -> m[1].getFileName().toString().contains(EVENT_LOG)));
            boolean pagesSynced = c.pageFiles().isEmpty();
            for (Path[] m : moves) {
                if (!pagesSynced && !m[1].getParent().equals(pagesDir)) {
                    forceDirectory(pagesDir); // the pages are there after a crash before a map names them
                    pagesSynced = true;
                }
                move(m[0], m[1]);
            }
            forceDirectory(dir);
        } catch (EvidenceException e) {
            throw e;
        } catch (Exception e) {
            throw new EvidenceException(Problem.FAILED, null, "cannot import window " + id + " into " + dir + ": " + e, e);
        } finally {
            for (Path[] m : moves) {
                try {
                    Files.deleteIfExists(m[0]);
                } catch (IOException ignored) {
                    // a leftover .tmp names no window and no page
                }
            }
        }
        return c.bundle();
    }

    private static void forceDirectory(Path d) {
        try (FileChannel ch = FileChannel.open(d, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not every platform can fsync a directory; the renames themselves are atomic
        }
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
