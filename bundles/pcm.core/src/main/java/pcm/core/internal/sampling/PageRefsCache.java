package pcm.core.internal.sampling;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pages each memory file of a directory names, as the 8-byte prefixes of their SHA-256 (8 bytes a page), kept
 * between sweeps: a memory file never changes under its name, so a sweep reads only the maps stored since the last
 * one. A file replaced under the same name (an import) is read again (its size, modification time or file key
 * differ).
 */
final class PageRefsCache {

    private static final Map<Path, PageRefsCache> CACHES = new ConcurrentHashMap<>();

    private record Entry(long size, long modified, Object fileKey, long[] prefixes) {}

    private final Map<Path, Entry> entries = new ConcurrentHashMap<>();

    private PageRefsCache() {}

    static PageRefsCache of(Path windowsDir) {
        return CACHES.computeIfAbsent(windowsDir.toAbsolutePath().normalize(), d -> new PageRefsCache());
    }

    /** The page-store pages {@code map} names (none for a memory file older than format 1.3). */
    long[] refs(Path map) throws IOException {
        BasicFileAttributes a = Files.readAttributes(map, BasicFileAttributes.class);
        Entry e = entries.get(map);
        if (e != null && e.size() == a.size() && e.modified() == a.lastModifiedTime().toMillis()
                && java.util.Objects.equals(e.fileKey(), a.fileKey())) {
            return e.prefixes();
        }
        SnapshotFiles.MemoryFile m = SnapshotFiles.readMemory(map, null);
        long[] p = m.refs().values().stream().mapToLong(PageStore.Key::prefix).toArray();
        entries.put(map, new Entry(a.size(), a.lastModifiedTime().toMillis(), a.fileKey(), p));
        return p;
    }

    /** Forgets the maps that are gone. */
    void retain(Collection<Path> maps) {
        Set<Path> keep = new HashSet<>(maps);
        entries.keySet().retainAll(keep);
    }
}
