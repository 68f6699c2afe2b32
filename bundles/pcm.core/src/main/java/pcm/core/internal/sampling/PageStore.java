package pcm.core.internal.sampling;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

import pcm.core.api.sampling.WindowDamagedException;
import pcm.core.api.sampling.WindowDamagedException.Problem;

/**
 * The content-addressed page store shared by the windows of one directory (docs/sampling.md, "Page store"):
 * {@code <dir>/pages/<sha256>.page}, one file per distinct 4 KiB page, named by the SHA-256 of the page's
 * bytes and holding them raw (4096 bytes) or as a raw DEFLATE stream (fewer). A page is written once, however many
 * windows name it; a reader inflates it and checks the SHA-256 against the name, so a damaged or missing page is
 * {@link WindowDamagedException} naming the window, the page file and the page, never other bytes.
 * <p>
 * Pages are written as {@code .part}, fsynced, renamed and their directories fsynced before the memory maps that
 * name them are written: a map under its final name only names pages that are there after a crash.
 * <p>
 * Deletion is a mark and sweep ({@link #sweep}): pages no memory map in the directory names are deleted, except the
 * ones a window being stored has {@linkplain #pin pinned}. Pinning and sweeping hold one lock per directory (this
 * class keeps one instance per directory in the JVM), so a sweep never deletes a page a window is about to name.
 */
final class PageStore {

    static final String DIR = "pages";
    static final String SUFFIX = ".page";
    static final int HASH = 32;

    private static final Map<Path, PageStore> STORES = new ConcurrentHashMap<>();

    private final Path root;
    private final Object lock = new Object();
    /** Pages a window being stored names, with how many windows pin them. */
    private final Map<Key, Integer> pins = new HashMap<>();
    /** Windows an import is writing (their snapshot files may land before their event log), with how many holds. */
    private final Map<String, Integer> importing = new HashMap<>();

    private PageStore(Path root) {
        this.root = root;
    }

    /** The page store of the windows in {@code windowsDir} (one instance per directory). */
    static PageStore of(Path windowsDir) {
        Path root = windowsDir.toAbsolutePath().normalize().resolve(DIR);
        return STORES.computeIfAbsent(root, PageStore::new);
    }

    Path root() { return root; }

    /** A page's SHA-256 as a map key. */
    record Key(byte[] sha256) {
        Key {
            if (sha256.length != HASH) throw new IllegalArgumentException("a SHA-256 has 32 bytes, not " + sha256.length);
        }
        String hex() { return HexFormat.of().formatHex(sha256); }
        /** The first 8 bytes: what a sweep's mark keeps per page (a collision only keeps a page longer). */
        long prefix() { return java.nio.ByteBuffer.wrap(sha256).getLong(); }
        @Override public boolean equals(Object o) { return o instanceof Key k && Arrays.equals(sha256, k.sha256); }
        @Override public int hashCode() { return Arrays.hashCode(sha256); }
        @Override public String toString() { return hex(); }
    }

    static Key keyOf(byte[] page) {
        try {
            return new Key(MessageDigest.getInstance("SHA-256").digest(page));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /** The file of a page, relative to the windows directory (what a damage report names). */
    static String relativeName(Key k) {
        return DIR + "/" + k.hex() + SUFFIX;
    }

    /**
     * One flat directory (ext4 indexes large directories): a window's new pages then need one directory fsync, where
     * shards by hash prefix needed one per shard — most of a window's storing time when it adds a few hundred pages.
     */
    Path file(Key k) {
        return root.resolve(k.hex() + SUFFIX);
    }

    // ---------------------------------------------------------------- writing

    /** Pages pinned until {@link #close}: a sweep leaves them alone. */
    final class Pin implements AutoCloseable {
        private final Set<Key> keys = new java.util.HashSet<>();
        private String importedWindow;
        private boolean closed;

        /** Pins one more page; false if this pin holds it already. */
        boolean add(Key k) {
            synchronized (lock) {
                if (closed) throw new IllegalStateException("pin closed");
                if (!keys.add(k)) return false;
                pins.merge(k, 1, Integer::sum);
                return true;
            }
        }

        @Override
        public void close() {
            synchronized (lock) {
                if (closed) return;
                closed = true;
                if (importedWindow != null) importing.computeIfPresent(importedWindow, (x, n) -> n == 1 ? null : n - 1);
                for (Key k : keys) pins.computeIfPresent(k, (x, n) -> n == 1 ? null : n - 1);
            }
        }
    }

    /** Pins {@code keys} until the window that names them has committed its memory maps. */
    Pin pin(Iterable<Key> keys) {
        Pin p = new Pin();
        for (Key k : keys) p.add(k);
        return p;
    }

    /**
     * Pins {@code keys} and holds window {@code windowId} as being imported until closed: an import writes the pages,
     * then the window's files, its event log last ({@link #importing} tells the orphan clean-up to keep them).
     */
    Pin holdImport(String windowId, Iterable<Key> keys) {
        Pin p = pin(keys);
        synchronized (lock) {
            p.importedWindow = windowId;
            importing.merge(windowId, 1, Integer::sum);
        }
        return p;
    }

    /** Whether an import holds {@code windowId}; call inside {@link #locked}, so a hold cannot start or end meanwhile. */
    boolean importing(String windowId) {
        synchronized (lock) {
            return importing.containsKey(windowId);
        }
    }

    /** Runs {@code work} under the store's lock (holds and sweeps wait for it). */
    <T> T locked(Marker.IoSupplier<T> work) throws IOException {
        synchronized (lock) {
            return work.get();
        }
    }

    /** What {@link #putAll} added to the store. */
    record Added(int pages, long bytes) {}

    /**
     * Stores the pages the store does not hold yet (the caller pinned them): each written as {@code .part}, fsynced,
     * then all renamed and their directories fsynced. Returns what was new.
     */
    Added putAll(Map<Key, byte[]> pages) throws IOException {
        List<Path[]> renames = new ArrayList<>();
        Set<Path> dirs = new LinkedHashSet<>();
        long bytes = 0;
        if (!Files.isDirectory(root)) {
            Files.createDirectories(root);
            dirs.add(root.getParent());
        }
        // concurrent fsyncs share the file system's journal commits: a few hundred pages cost a few commits, not one each
        java.util.concurrent.ExecutorService syncs = java.util.concurrent.Executors.newFixedThreadPool(
                Math.min(16, Math.max(1, pages.size())), r -> {
                    Thread t = new Thread(r, "pcm-page-store-sync");
                    t.setDaemon(true);
                    return t;
                });
        List<java.util.concurrent.Future<?>> synced = new ArrayList<>();
        Deflater deflater = new Deflater(Deflater.BEST_SPEED, true);
        try {
            byte[] out = new byte[PageImage.PAGE];
            for (Map.Entry<Key, byte[]> e : pages.entrySet()) {
                Path f = file(e.getKey());
                if (Files.exists(f)) continue;
                byte[] page = e.getValue();
                deflater.reset();
                deflater.setInput(page);
                deflater.finish();
                int len = deflater.deflate(out);
                byte[] stored = deflater.finished() && len < PageImage.PAGE ? Arrays.copyOf(out, len) : page;
                Path part = f.resolveSibling(f.getFileName() + ".part");
                synced.add(syncs.submit(() -> {
                    try (FileChannel ch = FileChannel.open(part, StandardOpenOption.CREATE,
                            StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
                        var b = java.nio.ByteBuffer.wrap(stored);
                        while (b.hasRemaining()) ch.write(b);
                        ch.force(true);
                    }
                    return null;
                }));
                renames.add(new Path[] {part, f});
                dirs.add(root);
                bytes += stored.length;
            }
            for (var s : synced) s.get();
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while storing pages");
        } finally {
            deflater.end();
            syncs.shutdownNow();
        }
        for (Path[] r : renames) {
            try {
                Files.move(r[0], r[1], StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(r[0], r[1], StandardCopyOption.REPLACE_EXISTING);
            }
        }
        for (Path d : dirs) forceDirectory(d);
        return new Added(renames.size(), bytes);
    }

    private static void forceDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException ignored) {
            // not every platform can fsync a directory; the rename itself is atomic
        }
    }

    // ---------------------------------------------------------------- reading

    /**
     * The page {@code key} names, checked against it.
     *
     * @param windowId the window loading it, {@code map} its memory map file, {@code pageNumber} where the map puts it:
     *                 what a damage report names
     */
    byte[] get(Key key, String windowId, String map, long pageNumber, Inflater inflater) throws WindowDamagedException {
        return read(key, file(key), windowId, "page 0x" + Long.toHexString(pageNumber) + " of " + map + " (SHA-256 " + key.hex() + ")",
                inflater);
    }

    /**
     * Checks that {@code file} (a page file an import is about to rename into the store) holds the page {@code key}
     * names: in the store, every window that comes to name that page would get its bytes.
     */
    static void check(Key key, Path file, String windowId) throws WindowDamagedException {
        Inflater inflater = new Inflater(true);
        try {
            read(key, file, windowId, "imported page file (SHA-256 " + key.hex() + ")", inflater);
        } finally {
            inflater.end();
        }
    }

    private static byte[] read(Key key, Path file, String windowId, String where, Inflater inflater) throws WindowDamagedException {
        String name = relativeName(key);
        byte[] stored;
        try {
            stored = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new WindowDamagedException(windowId, name, Problem.MISSING, where + " is not in the page store");
        } catch (IOException e) {
            throw new WindowDamagedException(windowId, name, Problem.CORRUPT, where + " cannot be read: " + e, e);
        }
        byte[] page;
        if (stored.length == PageImage.PAGE) {
            page = stored;
        } else if (stored.length == 0 || stored.length > PageImage.PAGE) {
            throw new WindowDamagedException(windowId, name, Problem.CORRUPT, where + ": " + stored.length
                    + " bytes, neither a page nor a deflated one");
        } else {
            page = new byte[PageImage.PAGE];
            inflater.reset();
            inflater.setInput(stored);
            try {
                int n = inflater.inflate(page);
                if (n != PageImage.PAGE || !inflater.finished() || inflater.getRemaining() != 0) {
                    throw new WindowDamagedException(windowId, name, Problem.CORRUPT, where
                            + ": the deflated page does not inflate to exactly one page");
                }
            } catch (DataFormatException e) {
                throw new WindowDamagedException(windowId, name, Problem.CORRUPT, where + ": damaged DEFLATE stream ("
                        + e.getMessage() + ")", e);
            }
        }
        if (!keyOf(page).equals(key)) {
            throw new WindowDamagedException(windowId, name, Problem.CORRUPT, where + ": its bytes do not have that SHA-256");
        }
        return page;
    }

    // ---------------------------------------------------------------- deleting

    /** What a sweep found and deleted. */
    record Swept(int kept, int deleted, long deletedBytes) {}

    /**
     * Deletes every page (and page temporary) that {@code referenced} does not name and no window pinned. The caller
     * computes {@code referenced} inside {@code marking}, which runs under the store's lock: a window that pins its
     * pages before or commits its maps after the mark cannot lose a page.
     */
    Swept sweep(Marker marking) throws IOException {
        synchronized (lock) {
            java.util.function.Predicate<Key> referenced = marking.mark();
            if (!Files.isDirectory(root)) return new Swept(0, 0, 0);
            int kept = 0, deleted = 0;
            long bytes = 0;
            List<Path> files;
            try (var s = Files.list(root)) {
                files = s.toList();
            }
            for (Path f : files) {
                String n = f.getFileName().toString();
                Key k = keyOfName(n);
                boolean part = n.endsWith(".part");
                // a temporary is a page being written (pinned) or a crash's leftover
                if (k != null && (pins.containsKey(k) || (!part && referenced.test(k)))) {
                    kept++;
                    continue;
                }
                if (k == null && !part) {
                    kept++; // not ours: leave it
                    continue;
                }
                long size = Files.exists(f) ? Files.size(f) : 0;
                if (Files.deleteIfExists(f)) {
                    deleted++;
                    bytes += size;
                }
            }
            return new Swept(kept, deleted, bytes);
        }
    }

    /** Computes the pages still named, under the store's lock. */
    interface Marker {
        java.util.function.Predicate<Key> mark() throws IOException;

        /** Work that may throw {@link IOException}. */
        interface IoSupplier<T> {
            T get() throws IOException;
        }
    }

    /** The key of {@code <sha256>.page} or {@code <sha256>.page.part}; null for another name. */
    static Key keyOfName(String n) {
        String h = n.endsWith(SUFFIX) ? n.substring(0, n.length() - SUFFIX.length())
                : n.endsWith(SUFFIX + ".part") ? n.substring(0, n.length() - SUFFIX.length() - 5) : null;
        if (h == null || h.length() != 2 * HASH) return null;
        try {
            return new Key(HexFormat.of().parseHex(h));
        } catch (IllegalArgumentException e) {
            return null;
        }
    }
}
