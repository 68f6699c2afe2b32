package pcm.core.internal.sampling;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import pcm.core.api.sampling.WindowDamagedException;
import pcm.core.api.sampling.WindowDamagedException.Problem;
import pcm.core.api.verify.Window;
import pcm.core.internal.log.LogFormat;

/**
 * The page store under real recorded windows (the scripted vCPU under the real recorder, event log and snapshot
 * writer): round trip, pages shared by windows stored once, a damaged or missing page a typed error naming the
 * window, the page file and the page, deletion that keeps shared pages and removes the rest, and windows of the
 * format before it (1.2, pages inline) still read.
 */
class PageStoreTest {

    @TempDir
    Path dir;

    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closing.reversed()) c.close();
    }

    private String record(long length) throws Exception {
        return ScriptedWindows.record(dir, length, closing);
    }

    private Set<String> pageFiles() throws Exception {
        Set<String> out = new TreeSet<>();
        Path root = dir.resolve(PageStore.DIR);
        if (!Files.isDirectory(root)) return out;
        try (var s = Files.walk(root)) {
            s.filter(Files::isRegularFile).forEach(p -> out.add(dir.relativize(p).toString().replace('\\', '/')));
        }
        return out;
    }

    private Path file(String id, String suffix) throws Exception {
        return new WindowStore(dir).files(id).stream().filter(p -> p.getFileName().toString().endsWith(suffix))
                .findFirst().orElseThrow();
    }

    private Map<Long, PageStore.Key> refs(String id, String suffix) throws Exception {
        SnapshotFiles.MemoryFile m = SnapshotFiles.readMemory(file(id, suffix), null);
        assertEquals(SnapshotFiles.MINOR_PAGE_MAP, m.minor());
        return m.refs();
    }

    @Test
    void windowsRoundTripAndShareTheirPages() throws Exception {
        String a = record(40);
        Set<String> afterA = pageFiles();
        String b = record(43);
        Set<String> afterB = pageFiles();
        Map<Long, PageStore.Key> initialA = refs(a, SnapshotFiles.MEM_INITIAL_SUFFIX), initialB = refs(b, SnapshotFiles.MEM_INITIAL_SUFFIX);
        assertFalse(initialA.isEmpty());
        // the same program on a fresh VM: the same initial memory, stored once
        assertEquals(initialA, initialB);
        for (PageStore.Key k : initialA.values()) assertTrue(afterA.contains(PageStore.relativeName(k)), k.toString());
        Set<String> added = new TreeSet<>(afterB);
        added.removeAll(afterA);
        for (PageStore.Key k : refs(b, SnapshotFiles.MEM_FINAL_SUFFIX).values()) {
            assertTrue(afterB.contains(PageStore.relativeName(k)));
        }
        assertTrue(added.size() <= refs(b, SnapshotFiles.MEM_FINAL_SUFFIX).size(),
                "window b adds at most its changed pages: " + added);

        // round trip: the loaded memory is the recorded one, page for page, and equal for equal contents
        WindowStore store = new WindowStore(dir);
        Window wa = store.load(a).orElseThrow(), wb = store.load(b).orElseThrow();
        for (long n : initialA.keySet()) {
            byte[] pa = new byte[PageImage.PAGE], pb = new byte[PageImage.PAGE];
            wa.initial().memory().read(n << 12, pa, 0, PageImage.PAGE);
            wb.initial().memory().read(n << 12, pb, 0, PageImage.PAGE);
            assertArrayEquals(pa, pb);
            assertEquals(initialA.get(n), PageStore.keyOf(pa));
        }
        // what the 1.2 writer (pages inline) would have stored loads the same
        byte[] viewA = WindowMutationTest.view(wa);
        rewriteInline(a, wa);
        assertEquals(SnapshotFiles.MINOR_DEFLATED, SnapshotFiles.readMemory(file(a, SnapshotFiles.MEM_INITIAL_SUFFIX), null).minor());
        assertArrayEquals(viewA, WindowMutationTest.view(store.load(a).orElseThrow()));
    }

    /** Rewrites a window's snapshot files with the format-1.2 writer (pages inline, what PCM wrote before). */
    private void rewriteInline(String id, Window w) throws Exception {
        SnapshotFiles.CpuFile cpu = SnapshotFiles.readCpu(file(id, SnapshotFiles.CPU_SUFFIX));
        PageImage initial = (PageImage) w.initial().memory();
        SnapshotFiles.writeWindow(file(id, LogFormat.SUFFIX), id, cpu.backend(), cpu.initial(), cpu.end(), initial.regions(),
                w.initial().memory(), w.end().memory(), null);
    }

    @Test
    void oldFormatWindowsStillReadWithoutAPageStore() throws Exception {
        String a = record(40);
        WindowStore store = new WindowStore(dir);
        Window w = store.load(a).orElseThrow();
        byte[] view = WindowMutationTest.view(w);
        rewriteInline(a, w);
        // no page store at all: a 1.2 window does not need one
        WindowMutationTest.deleteTree(dir.resolve(PageStore.DIR));
        assertArrayEquals(view, WindowMutationTest.view(store.load(a).orElseThrow()));
        // and a sweep leaves it alone
        store.deleteOrphans(null);
        assertArrayEquals(view, WindowMutationTest.view(store.load(a).orElseThrow()));
    }

    @Test
    void aDamagedOrMissingPageIsATypedErrorNamingWindowFileAndPage() throws Exception {
        String a = record(40);
        Map<Long, PageStore.Key> refs = refs(a, SnapshotFiles.MEM_INITIAL_SUFFIX);
        long n = refs.keySet().iterator().next();
        PageStore.Key k = refs.get(n);
        Path page = dir.resolve(PageStore.relativeName(k));
        byte[] good = Files.readAllBytes(page);
        WindowStore store = new WindowStore(dir);
        byte[] view = WindowMutationTest.view(store.load(a).orElseThrow());
        int rejected = 0;
        for (int i = 0; i < good.length; i++) {
            byte[] bad = good.clone();
            bad[i] ^= 0x10;
            Files.write(page, bad);
            Window w;
            try {
                w = store.load(a).orElseThrow();
            } catch (WindowDamagedException x) {
                w = null;
            }
            if (w != null) {
                // the same page, checked by its SHA-256
                assertArrayEquals(view, WindowMutationTest.view(w), "flip at " + i + " loaded other bytes");
                continue;
            }
            WindowDamagedException x = assertThrows(WindowDamagedException.class, () -> store.load(a), "flip at " + i);
            assertEquals(Problem.CORRUPT, x.problem(), x.getMessage());
            assertEquals(a, x.windowId());
            assertEquals(PageStore.relativeName(k), x.file());
            assertTrue(x.getMessage().contains("page 0x" + Long.toHexString(n)), x.getMessage());
            rejected++;
        }
        // a mostly-zero page deflates to back-references: a flip that changes a distance inside zeros, or an unused bit,
        // inflates to the same page; every other flip is damage
        assertTrue(rejected > good.length / 2, rejected + " of " + good.length + " flips rejected");
        // another page's (intact) bytes under this page's name
        byte[] other = new byte[PageImage.PAGE];
        other[100] = 1;
        Files.write(page, other);
        assertEquals(Problem.CORRUPT, assertThrows(WindowDamagedException.class, () -> store.load(a)).problem());
        Files.write(page, new byte[0]);
        assertEquals(Problem.CORRUPT, assertThrows(WindowDamagedException.class, () -> store.load(a)).problem());

        Files.delete(page);
        WindowDamagedException x = assertThrows(WindowDamagedException.class, () -> store.load(a));
        assertEquals(Problem.MISSING, x.problem(), x.getMessage());
        assertEquals(PageStore.relativeName(k), x.file());
        assertTrue(x.getMessage().contains("page 0x" + Long.toHexString(n)), x.getMessage());

        Files.write(page, good);
        store.load(a).orElseThrow();
    }

    @Test
    void deletionKeepsSharedPagesAndRemovesUnreferencedOnes() throws Exception {
        String a = record(40);
        String b = record(43);
        WindowStore store = new WindowStore(dir);
        Set<String> named = new TreeSet<>();
        for (String id : List.of(a, b)) {
            for (String role : List.of(SnapshotFiles.MEM_INITIAL_SUFFIX, SnapshotFiles.MEM_FINAL_SUFFIX)) {
                for (PageStore.Key k : refs(id, role).values()) named.add(PageStore.relativeName(k));
            }
        }
        Set<String> onlyB = new TreeSet<>();
        for (String role : List.of(SnapshotFiles.MEM_INITIAL_SUFFIX, SnapshotFiles.MEM_FINAL_SUFFIX)) {
            for (PageStore.Key k : refs(b, role).values()) onlyB.add(PageStore.relativeName(k));
        }
        // garbage: a page nobody names, a crash's page temporary, and a page pinned by a window being stored
        PageStore ps = PageStore.of(dir);
        byte[] lonely = new byte[PageImage.PAGE];
        lonely[7] = 42;
        byte[] pinnedPage = new byte[PageImage.PAGE];
        pinnedPage[9] = 43;
        PageStore.Key lonelyKey = PageStore.keyOf(lonely), pinnedKey = PageStore.keyOf(pinnedPage);
        ps.putAll(Map.of(lonelyKey, lonely));
        Path crashed = ps.file(PageStore.keyOf(new byte[PageImage.PAGE - 1]));
        Path crashedTmp = crashed.resolveSibling(crashed.getFileName() + ".part");
        Files.createDirectories(crashed.getParent());
        Files.write(crashedTmp, new byte[5]);
        try (PageStore.Pin pin = ps.pin(List.of(pinnedKey))) {
            ps.putAll(Map.of(pinnedKey, pinnedPage));
            Path tmp = ps.file(pinnedKey).resolveSibling(ps.file(pinnedKey).getFileName() + ".part");
            Files.write(tmp, new byte[3]);
            assertEquals(named.size() + 4, pageFiles().size());
            store.deleteOrphans(null);
            assertFalse(Files.exists(crashedTmp), "a temporary no window pins is a crash's leftover");
            assertTrue(Files.exists(ps.file(pinnedKey)), "a pinned page survives a sweep");
            assertTrue(Files.exists(tmp), "so does the temporary of a pinned page");
            assertFalse(Files.exists(ps.file(lonelyKey)), "a page no window names is swept");
            assertEquals(named, without(pageFiles(), ps.file(pinnedKey), tmp));
        }
        store.deleteOrphans(null);
        assertEquals(named, pageFiles(), "unpinned and unnamed: swept");

        // retention deletes window a as a whole: the pages b names stay, a's own go
        for (Path p : store.files(a)) Files.delete(p);
        store.deleteOrphans(null);
        assertEquals(onlyB, pageFiles());
        store.load(b).orElseThrow();
        for (Path p : store.files(b)) Files.delete(p);
        store.deleteOrphans(null);
        assertEquals(Set.of(), pageFiles());
    }

    private Set<String> without(Set<String> s, Path... files) {
        Set<String> out = new TreeSet<>(s);
        for (Path f : files) out.remove(dir.relativize(f).toString().replace('\\', '/'));
        return out;
    }

    /** Sweeps and loads running all the time while windows are stored: no window loses a page. */
    @Test
    void sweepsConcurrentWithStoringAndLoadingNeverTakeANamedPage() throws Exception {
        java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<Throwable> failed = new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicInteger sweeps = new java.util.concurrent.atomic.AtomicInteger();
        List<String> stored = java.util.Collections.synchronizedList(new ArrayList<>());
        Thread sweeper = new Thread(() -> {
            try {
                while (!done.get()) {
                    new WindowStore(dir).sweepPages();
                    sweeps.incrementAndGet();
                }
            } catch (Throwable t) {
                failed.set(t);
            }
        });
        Thread loader = new Thread(() -> {
            try {
                while (!done.get()) {
                    List<String> ids;
                    synchronized (stored) {
                        ids = List.copyOf(stored);
                    }
                    for (String id : ids) new WindowStore(dir).load(id).orElseThrow();
                }
            } catch (Throwable t) {
                failed.set(t);
            }
        });
        sweeper.start();
        loader.start();
        try {
            for (int i = 0; i < 6; i++) stored.add(record(40 + i));
        } finally {
            done.set(true);
            sweeper.join();
            loader.join();
        }
        if (failed.get() != null) throw new AssertionError("a sweep or a load failed", failed.get());
        assertTrue(sweeps.get() > 0);
        for (String id : stored) new WindowStore(dir).load(id).orElseThrow();
    }

    @Test
    void anUnreadableMapStopsTheSweep() throws Exception {
        String a = record(40);
        Set<String> before = pageFiles();
        Path map = file(a, SnapshotFiles.MEM_FINAL_SUFFIX);
        byte[] m = Files.readAllBytes(map);
        m[m.length - 1] ^= 1;
        java.nio.file.attribute.FileTime written = Files.getLastModifiedTime(map);
        Files.write(map, m);
        // the refs cache knows a map by size, mtime (ms) and file key: a rewrite within the same millisecond (a fast
        // machine) would look unchanged to it and the sweep would use the refs it read before the damage (flaky)
        Files.setLastModifiedTime(map, java.nio.file.attribute.FileTime.fromMillis(written.toMillis() + 1000));
        // mem-initial still names its pages, the damaged mem-final cannot be read: nothing is deleted
        assertThrows(java.io.IOException.class, () -> new WindowStore(dir).sweepPages());
        assertEquals(before, pageFiles());
    }

    /**
     * Moving a window to another store (what an evidence import does): {@code filesWithPages} names its own files and
     * every page its maps name; copied pages first, then its files, its log last, under an import hold, the window
     * loads there; sweeps and the orphan clean-up in between take neither the held pages nor the log-less snapshot files.
     */
    @Test
    void aWindowMovesToAnotherStoreWithItsPagesUnderAnImportHold(@TempDir Path other) throws Exception {
        String id = record(2000);
        WindowStore store = new WindowStore(dir);
        List<Path> files = store.filesWithPages(id);
        List<Path> pages = files.stream().filter(p -> p.getNameCount() == 2).toList();
        List<Path> own = files.stream().filter(p -> p.getNameCount() == 1).toList();
        assertEquals(pageFiles(), new TreeSet<>(pages.stream().map(p -> p.toString().replace('\\', '/')).toList()),
                "the window alone in the store: every page is its");
        assertEquals(store.files(id).stream().map(Path::getFileName).toList(), own);

        WindowStore target = new WindowStore(other);
        try (PageStore.Pin hold = target.holdImport(id, pages)) {
            for (Path p : pages) {
                WindowStore.checkImportedPage(id, p, dir.resolve(p)); // the page its name says
                Files.createDirectories(other.resolve(p).getParent());
                Files.copy(dir.resolve(p), other.resolve(p));
            }
            Path forged = other.resolve("forged");
            Files.write(forged, Files.readAllBytes(dir.resolve(pages.get(1))));
            WindowDamagedException bad = assertThrows(WindowDamagedException.class,
                    () -> WindowStore.checkImportedPage(id, pages.get(0), forged), "another page's bytes under this name");
            assertEquals(Problem.CORRUPT, bad.problem());
            assertEquals(pages.get(0).toString().replace('\\', '/'), bad.file());
            Files.delete(forged);
            target.deleteOrphans(null);
            for (Path p : pages) assertTrue(Files.exists(other.resolve(p)), "a held page survives a sweep: " + p);
            for (Path p : own) if (!p.toString().endsWith(LogFormat.SUFFIX)) Files.copy(dir.resolve(p), other.resolve(p));
            target.deleteOrphans(null);
            for (Path p : own) if (!p.toString().endsWith(LogFormat.SUFFIX))
                assertTrue(Files.exists(other.resolve(p)), "a held window's snapshot files wait for its log: " + p);
            for (Path p : own) if (p.toString().endsWith(LogFormat.SUFFIX)) Files.copy(dir.resolve(p), other.resolve(p));
        }
        target.deleteOrphans(null);
        Window moved = target.load(id).orElseThrow();
        Window original = store.load(id).orElseThrow();
        assertEquals(original.initial().memory().size(), moved.initial().memory().size());
        byte[] a = new byte[PageImage.PAGE], b = new byte[PageImage.PAGE];
        for (PageImage.Region r : ((PageImage) original.end().memory()).regions()) {
            for (long gpa = r.gpa(); gpa < r.gpa() + r.size(); gpa += PageImage.PAGE) {
                original.end().memory().read(gpa, a, 0, a.length);
                moved.end().memory().read(gpa, b, 0, b.length);
                assertArrayEquals(a, b, "page at 0x" + Long.toHexString(gpa));
            }
        }
        assertThrows(IllegalArgumentException.class, () -> target.holdImport(id, List.of(Path.of("pages", "../x.page"))));
        assertThrows(IllegalArgumentException.class, () -> target.holdImport(id, List.of(Path.of("cpu.bin"))));
    }
}
