package pcm.core.internal.sampling;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.Inflater;

import pcm.core.api.sampling.WindowDamagedException;
import pcm.core.api.verify.MemoryImage;

/**
 * Memory files of snapshot format 1.3: page maps (docs/sampling.md, "Page store"). A window's mem-initial names
 * its non-zero pages, its mem-final the pages that changed, each by page number and the SHA-256 of its bytes; the
 * bytes are in the directory's {@link PageStore}, once for every window that names them. The CPU file binds the
 * maps' body CRCs, each map binds its pages' SHA-256: a window loads only with the very pages it recorded.
 */
final class PageMaps {

    /**
     * Per page in a map: the gap to the previous page number as an unsigned LEB128 (page number - previous - 1; the
     * first: the page number; usually one byte, where a {@code u64} took 8 of the 40 bytes a page), 32 bytes SHA-256.
     */
    static final int MIN_ENTRY = 1 + PageStore.HASH, MAX_ENTRY = 10 + PageStore.HASH;

    private PageMaps() {}

    /**
     * Stores a window's memory: its pages into the page store (those it does not hold yet), then both maps, then the
     * CPU file binding them; the pages stay pinned until then so a concurrent sweep cannot take one.
     *
     * @param prefix the window's file prefix ({@code <dir>/<utc-time>_<id>_})
     */
    static SnapshotFiles.Stored writeWindow(Path prefix, String windowId, String backend, CpuState initialCpu,
                                            CpuState finalCpu, List<PageImage.Region> regions, MemoryImage initialMemory,
                                            MemoryImage finalMemory, PageStore store, long logStartEpochNanos,
                                            List<TraceFiles.TraceRef> traces)
            throws IOException {
        Map<Long, PageStore.Key> initialRefs = new TreeMap<>(), finalRefs = new TreeMap<>();
        Map<PageStore.Key, byte[]> missing = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        try (PageStore.Pin pin = store.pin(List.of())) {
            for (PageImage.Region r : regions) {
                for (long a = r.gpa(); a < r.gpa() + r.size(); a += PageImage.PAGE) {
                    byte[] page = new byte[PageImage.PAGE];
                    initialMemory.read(a, page, 0, PageImage.PAGE);
                    if (!PageImage.isZero(page)) initialRefs.put(a >>> 12, take(store, pin, page, missing));
                    byte[] end = new byte[PageImage.PAGE];
                    finalMemory.read(a, end, 0, PageImage.PAGE);
                    if (!Arrays.equals(page, end)) finalRefs.put(a >>> 12, take(store, pin, end, missing));
                }
            }
            long t1 = System.nanoTime();
            PageStore.Added added = store.putAll(missing);
            long t2 = System.nanoTime();
            String p = prefix.getFileName().toString();
            Path initialFile = prefix.resolveSibling(p + SnapshotFiles.MEM_INITIAL_SUFFIX);
            Path finalFile = prefix.resolveSibling(p + SnapshotFiles.MEM_FINAL_SUFFIX);
            int initialCrc = write(initialFile, windowId, SnapshotFiles.INITIAL, regions, initialMemory.size(), initialRefs);
            int finalCrc = write(finalFile, windowId, SnapshotFiles.FINAL, regions, initialMemory.size(), finalRefs);
            SnapshotFiles.writeCpu(prefix.resolveSibling(p + SnapshotFiles.CPU_SUFFIX), windowId, backend, initialCpu, finalCpu,
                    new SnapshotFiles.Binding(logStartEpochNanos, initialCrc, finalCrc, traces));
            long mapBytes = java.nio.file.Files.size(initialFile) + java.nio.file.Files.size(finalFile);
            return new SnapshotFiles.Stored(initialRefs.size(), finalRefs.size(), added.pages(), added.bytes(), mapBytes,
                    (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (System.nanoTime() - t2) / 1_000_000);
        }
    }

    /** The page's key, pinned; its bytes kept for writing when the store does not hold it. */
    private static PageStore.Key take(PageStore store, PageStore.Pin pin, byte[] page, Map<PageStore.Key, byte[]> missing) {
        PageStore.Key k = PageStore.keyOf(page);
        if (missing.containsKey(k)) return k;
        if (pin.add(k) && !java.nio.file.Files.exists(store.file(k))) missing.put(k, page);
        return k;
    }

    /** Writes one page map (snapshot container 1.3, type memory); returns its body CRC32C. */
    static int write(Path file, String windowId, int which, List<PageImage.Region> regions, long size,
                     Map<Long, PageStore.Key> refs) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1024 + regions.size() * 16 + refs.size() * MAX_ENTRY).order(ByteOrder.LITTLE_ENDIAN);
        SnapshotFiles.putString(b, windowId);
        b.put((byte) which).putLong(size).putInt(PageImage.PAGE);
        b.putInt(regions.size());
        for (PageImage.Region r : regions) b.putLong(r.gpa()).putLong(r.size());
        b.putLong(refs.size());
        long prev = -1;
        for (Map.Entry<Long, PageStore.Key> e : refs.entrySet()) {
            long gap = e.getKey() - prev - 1;
            if (gap < 0) throw new IllegalArgumentException("page numbers not ascending");
            while ((gap & ~0x7FL) != 0) {
                b.put((byte) (0x80 | (gap & 0x7F)));
                gap >>>= 7;
            }
            b.put((byte) gap).put(e.getValue().sha256());
            prev = e.getKey();
        }
        b.flip();
        try (ContainerWriter w = new ContainerWriter(file, SnapshotFiles.TYPE_MEMORY, b.remaining(),
                SnapshotFiles.MINOR_PAGE_MAP)) {
            w.write(b);
            return w.bodyCrc();
        }
    }

    /** The page references of a 1.3 memory body, after its page count; {@code strict}: no bytes may follow. */
    static Map<Long, PageStore.Key> readRefs(ByteBuffer body, long count, List<PageImage.Region> regions, boolean strict) {
        if (count < 0 || count > body.remaining() / MIN_ENTRY) {
            throw new IllegalArgumentException("page count " + count + " for " + body.remaining() + " bytes of page references");
        }
        Map<Long, PageStore.Key> refs = new LinkedHashMap<>();
        long prev = -1;
        for (long i = 0; i < count; i++) {
            long gap = 0;
            for (int shift = 0; ; shift += 7) {
                int v = Byte.toUnsignedInt(body.get());
                // page numbers have at most 52 bits: a longer gap, or a zero byte that only pads it, is damage
                if (shift > 49 || (shift > 0 && v == 0)) throw new IllegalArgumentException("page gap encoding");
                gap |= (long) (v & 0x7F) << shift;
                if ((v & 0x80) == 0) break;
            }
            long n = prev + 1 + gap;
            if (gap >>> 52 != 0 || n <= prev) throw new IllegalArgumentException("page number after 0x" + Long.toHexString(prev));
            prev = n;
            long gpa = n << 12;
            if (n >>> 52 != 0 || regions.stream().noneMatch(r -> r.contains(gpa, PageImage.PAGE))) {
                throw new IllegalArgumentException("page 0x" + Long.toHexString(n) + " lies outside the RAM regions");
            }
            byte[] h = new byte[PageStore.HASH];
            body.get(h);
            refs.put(n, new PageStore.Key(h));
        }
        if (strict && body.hasRemaining()) throw new IllegalArgumentException(body.remaining() + " bytes after the last page");
        return refs;
    }

    /**
     * The memory of a checked memory file: an older file's own image, a page map's pages loaded from the store
     * (each checked against its SHA-256) over {@code base}.
     */
    static PageImage resolve(SnapshotFiles.MemoryFile m, PageStore store, String windowId, Path mapFile, PageImage base)
            throws WindowDamagedException {
        if (m.minor() < SnapshotFiles.MINOR_PAGE_MAP) return m.image();
        Map<Long, byte[]> pages = new HashMap<>();
        Map<PageStore.Key, byte[]> loaded = new HashMap<>();
        Inflater inflater = new Inflater(true);
        try {
            for (Map.Entry<Long, PageStore.Key> e : m.refs().entrySet()) {
                byte[] p = loaded.get(e.getValue());
                if (p == null) {
                    p = store.get(e.getValue(), windowId, mapFile.getFileName().toString(), e.getKey(), inflater);
                    loaded.put(e.getValue(), p);
                }
                pages.put(e.getKey(), p);
            }
        } finally {
            inflater.end();
        }
        return new PageImage(m.image().regions(), pages, base);
    }
}
