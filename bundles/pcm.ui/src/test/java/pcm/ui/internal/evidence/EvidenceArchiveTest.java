package pcm.ui.internal.evidence;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BiFunction;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.node.ObjectNode;

import pcm.core.api.cpu.CpuIdentity;
import pcm.core.api.event.EventKind;
import pcm.core.api.sampling.WindowInfo;
import pcm.core.api.verify.Divergence;
import pcm.core.api.verify.RecordingCpu;
import pcm.core.api.verify.Verdict;
import pcm.ui.api.evidence.EvidenceBundle;
import pcm.ui.api.evidence.EvidenceException;
import pcm.ui.api.evidence.EvidenceException.Problem;

/**
 * The evidence bundle's writer and reader: a round trip keeps every file's bytes, the verdicts, the divergence and the
 * host facts; a damaged member, a cut-short archive, another version or a foreign file is refused with its typed problem
 * and the member to blame; an import does not overwrite a window unless told.
 */
class EvidenceArchiveTest {

    static final String ID = "w1796526757943";
    static final Verdict MATCH = Verdict.match("soft", ID, 2000);
    static final Verdict DIVERGED = Verdict.diverged("inject", ID, 2000,
            new Divergence(500, 0x1a2b, List.of("page 0x3fff000 offset 0x0: 0x5a != 0x0")));

    @TempDir
    Path tmp;
    Path store;
    List<Path> files;
    Path archive;

    @BeforeEach
    void window() throws Exception {
        store = Files.createDirectories(tmp.resolve("windows"));
        Random r = new Random(42);
        files = new ArrayList<>();
        for (String kind : List.of("events.pcmlog", "cpu.bin", "mem-initial.bin", "mem-final.bin")) {
            byte[] b = new byte[kind.startsWith("mem-initial") ? 200_000 : 3_000];
            r.nextBytes(b);
            files.add(Files.write(store.resolve("20261207T003500Z_" + ID + "_" + kind), b));
        }
        archive = tmp.resolve("out/" + ID + ".zip");
        EvidenceWriter.write(archive, ID, Instant.parse("2026-12-07T00:35:00Z"), evidence(), files);
    }

    static ObjectNode evidence() {
        Map<EventKind, Long> counts = new EnumMap<>(EventKind.class);
        counts.put(EventKind.CHECKPOINT, 2L);
        WindowInfo info = new WindowInfo(ID, "COMPLETE", "soft", 2000, counts, 209_000, List.of());
        Map<String, String> host = HostFacts.collect(new RecordingCpu("soft", CpuIdentity.ofVendor("AuthenticAMD", 0xa00f11)),
                "soft CPU", List.of("soft"), Map.of("pcm.core", "0.1.0"));
        return EvidenceService.evidence(info, List.of(), null, List.of(MATCH, DIVERGED), host);
    }

    @Test
    void aRoundTripKeepsFilesVerdictsDivergenceAndHostFacts() throws Exception {
        EvidenceReader.Checked c = EvidenceReader.check(archive);
        EvidenceBundle b = c.bundle();
        assertEquals(ID, b.windowId());
        assertEquals("1.1", b.formatVersion());
        assertEquals(ID, b.id());
        assertEquals(Instant.parse("2026-12-07T00:35:00Z"), b.created());
        assertEquals(List.of(MATCH, DIVERGED), b.verdicts(), "the divergence's position, RIP and differences too");
        assertEquals(5, b.members().size(), "evidence.json and four window files");
        assertEquals("AuthenticAMD", b.hostFacts().get("recording.cpu.vendor"));
        assertEquals("25", b.hostFacts().get("recording.cpu.family"), "0xa00f11: family 0xF + 0xA");
        assertEquals("1", b.hostFacts().get("recording.cpu.model"));
        assertEquals("amd", b.hostFacts().get("recording.cpu.undefinedFlags"));
        assertEquals("0.1.0", b.hostFacts().get("bundle.pcm.core"));
        assertTrue(b.hostFacts().containsKey("jvm.version") && b.hostFacts().containsKey("kernel"));
        assertEquals(EvidenceReader.sha256(archive), b.sha256());
        Path into = tmp.resolve("second/windows");
        WindowImport.into(archive, into, tmp.resolve("second/verdicts"), false);
        for (Path f : files) assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(into.resolve(f.getFileName())), f.toString());
        try (var s = Files.list(into)) {
            assertEquals(4, s.count(), "no temporaries left");
        }
        assertFalse(Files.exists(archive.resolveSibling(archive.getFileName() + ".part")));
    }

    /** Page files as a store keeps them: named by a SHA-256 (the test's bytes need not be a page: pcm.core re-checks on load). */
    List<Path> pages(Path storeDir, int n) throws IOException {
        Path dir = Files.createDirectories(storeDir.resolve("pages"));
        List<Path> out = new ArrayList<>();
        Random r = new Random(7);
        for (int i = 0; i < n; i++) {
            byte[] b = new byte[100 + i];
            r.nextBytes(b);
            out.add(Files.write(dir.resolve(EvidenceFormat.hex(EvidenceWriter.sha256().digest(b)) + ".page"), b));
        }
        return out;
    }

    @Test
    void pagesTravelWithTheWindowAndLandBeforeItsFilesUnderTheHold() throws Exception {
        List<Path> pages = pages(store, 3);
        Path withPages = tmp.resolve("out/pages.zip");
        EvidenceWriter.write(withPages, ID, Instant.parse("2026-12-07T00:35:00Z"), evidence(), files, pages);
        EvidenceReader.Checked c = EvidenceReader.check(withPages);
        assertEquals(3, c.pageFiles().size());
        assertEquals(1 + 4 + 3, c.bundle().members().size());
        Path into = tmp.resolve("second/windows");
        // one page is in the target store already, with the same bytes: kept
        Files.createDirectories(into.resolve("pages"));
        Files.copy(pages.get(0), into.resolve("pages").resolve(pages.get(0).getFileName()));
        List<String> held = new ArrayList<>();
        boolean[] closed = {false};
        List<String> checked = new ArrayList<>();
        WindowImport.into(withPages, into, tmp.resolve("second/verdicts"), false, (id, names) -> {
            held.add(id);
            names.forEach(n -> held.add(n.toString().replace('\\', '/')));
            try (var s = Files.list(into)) {
                assertEquals(List.of("pages"), s.map(p -> p.getFileName().toString()).toList(), "the hold comes before any window file");
            } catch (IOException x) {
                throw new java.io.UncheckedIOException(x);
            }
            return new WindowImport.Held() {
                @Override
                public void checkPage(Path pageFile, Path file, String member) {
                    checked.add(member);
                    assertFalse(Files.exists(into.resolve(pageFile)), "checked before it is in the store: " + pageFile);
                }

                @Override
                public void close() {
                    for (Path p : pages) assertTrue(Files.exists(into.resolve("pages").resolve(p.getFileName())), "pages land before the hold ends");
                    for (Path f : files) assertTrue(Files.exists(into.resolve(f.getFileName())), "so do the window's files");
                    closed[0] = true;
                }
            };
        });
        assertEquals(2, checked.size(), "each page the store lacked is checked before it lands");
        assertTrue(closed[0], "the hold is closed");
        List<String> expected = new ArrayList<>(List.of(ID));
        pages.stream().map(p -> "pages/" + p.getFileName()).sorted().forEach(expected::add);
        assertEquals(expected, held);
        for (Path p : pages) assertArrayEquals(Files.readAllBytes(p), Files.readAllBytes(into.resolve("pages").resolve(p.getFileName())));
        try (var s = Files.list(into.resolve("pages"))) {
            assertEquals(3, s.count(), "no temporaries left");
        }

        // a page file of that name with other bytes: refused, naming it; nothing of the window lands
        Path third = tmp.resolve("third/windows");
        Path clash = Files.createDirectories(third.resolve("pages")).resolve(pages.get(1).getFileName());
        Files.write(clash, new byte[] {1, 2, 3});
        EvidenceException e = assertThrows(EvidenceException.class,
                () -> WindowImport.into(withPages, third, tmp.resolve("third/verdicts"), false));
        assertEquals("pages/" + pages.get(1).getFileName(), e.member());
        assertTrue(e.getMessage().contains(clash.toString()), e.getMessage());
        try (var s = Files.list(third)) {
            assertEquals(List.of("pages"), s.map(p -> p.getFileName().toString()).toList());
        }
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(clash), "the store's file is left as it was");
    }

    @Test
    void aPageMemberMustBeNamedByAHashAndMatchTheManifest() throws Exception {
        List<Path> pages = pages(store, 1);
        Path withPages = tmp.resolve("out/pages.zip");
        EvidenceWriter.write(withPages, ID, Instant.parse("2026-12-07T00:35:00Z"), evidence(), files, pages);
        String member = "pages/" + pages.get(0).getFileName();
        EvidenceException e = refused(rezip(withPages, (name, bytes) -> {
            if (name.equals(member)) bytes[0] ^= 1;
            return bytes;
        }), Problem.DAMAGED_MEMBER);
        assertEquals(member, e.member());
        refused(rezip(withPages, manifest(m -> ((ObjectNode) m.get("members").get(5)).put("path", "pages/../x.page"))), Problem.FOREIGN);
    }

    @Test
    void aPageTheHoldRefusesNeverLands() throws Exception {
        List<Path> pages = pages(store, 2);
        Path withPages = tmp.resolve("out/pages.zip");
        EvidenceWriter.write(withPages, ID, Instant.parse("2026-12-07T00:35:00Z"), evidence(), files, pages);
        String bad = "pages/" + pages.get(1).getFileName();
        Path into = tmp.resolve("second/windows");
        EvidenceException e = assertThrows(EvidenceException.class, () -> WindowImport.into(withPages, into, tmp.resolve("second/verdicts"),
                false, (id, names) -> new WindowImport.Held() {
                    @Override
                    public void checkPage(Path pageFile, Path file, String member) throws EvidenceException {
                        if (member.equals(bad)) throw new EvidenceException(Problem.DAMAGED_MEMBER, member, "not that page", null);
                    }

                    @Override
                    public void close() {}
                }));
        assertEquals(bad, e.member());
        try (var s = Files.walk(into)) {
            assertEquals(List.of(into, into.resolve("pages")), s.sorted().toList(), "nothing lands, no temporary stays");
        }
    }

    @Test
    void aBundleOfFormat10WithoutPagesStillImports() throws Exception {
        Path old = rezip(archive, manifest(m -> m.put("formatVersion", "1.0")));
        Path into = tmp.resolve("second/windows");
        EvidenceBundle b = WindowImport.into(old, into, tmp.resolve("second/verdicts"), false);
        assertEquals("1.0", b.formatVersion());
        for (Path f : files) assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(into.resolve(f.getFileName())), f.toString());
        assertFalse(Files.exists(into.resolve("pages")));
    }

    @Test
    void aMemberWhoseBytesAreNotTheManifestsIsDamagedAndNamed() throws Exception {
        String victim = "window/20261207T003500Z_" + ID + "_cpu.bin";
        Path bad = rezip(archive, (name, bytes) -> {
            if (!name.equals(victim)) return bytes;
            bytes[100] ^= 1;
            return bytes;
        });
        EvidenceException e = refused(bad, Problem.DAMAGED_MEMBER);
        assertEquals(victim, e.member());
        assertTrue(e.getMessage().contains("SHA-256"), e.getMessage());
    }

    @Test
    void aByteFlippedInTheArchiveIsCaught() throws Exception {
        byte[] all = Files.readAllBytes(archive);
        String name = "window/20261207T003500Z_" + ID + "_mem-initial.bin";
        int at = indexOf(all, name.getBytes(StandardCharsets.US_ASCII)) + name.length() + 5_000;
        all[at] ^= 0x10;
        Path bad = Files.write(tmp.resolve("flipped.zip"), all);
        EvidenceException e = refused(bad, Problem.DAMAGED_MEMBER);
        assertEquals(name, e.member());
    }

    @Test
    void aTruncatedArchiveIsTruncated() throws Exception {
        byte[] all = Files.readAllBytes(archive);
        for (int keep : new int[] {all.length / 2, all.length - 10, 30}) {
            Path cut = Files.write(tmp.resolve("cut" + keep + ".zip"), java.util.Arrays.copyOf(all, keep));
            refused(cut, Problem.TRUNCATED);
        }
    }

    @Test
    void anotherMajorVersionIsRefusedANewerMinorRead() throws Exception {
        refused(rezip(archive, manifest(m -> m.put("formatVersion", "2.0"))), Problem.UNSUPPORTED_VERSION);
        refused(rezip(archive, manifest(m -> m.put("formatVersion", "x"))), Problem.UNSUPPORTED_VERSION);
        assertEquals("1.7", EvidenceReader.check(rezip(archive, manifest(m -> m.put("formatVersion", "1.7")))).bundle().formatVersion());
    }

    @Test
    void foreignFilesAndArchivesAreForeign() throws Exception {
        refused(Files.writeString(tmp.resolve("notes.zip"), "hello, not a zip"), Problem.FOREIGN);
        refused(Files.write(tmp.resolve("empty.zip"), new byte[0]), Problem.FOREIGN);
        Path noManifest = tmp.resolve("nomanifest.zip");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(noManifest))) {
            z.putNextEntry(new ZipEntry("readme.txt"));
            z.write("x".getBytes(StandardCharsets.UTF_8));
        }
        refused(noManifest, Problem.FOREIGN);
        refused(rezip(archive, manifest(m -> m.put("format", "something-else"))), Problem.FOREIGN);
        EvidenceException escape = refused(rezip(archive, manifest(m -> ((ObjectNode) m.get("members").get(1)).put("path",
                "window/../../etc/20261207T003500Z_" + ID + "_cpu.bin"))), Problem.FOREIGN);
        assertTrue(escape.getMessage().contains("neither"), escape.getMessage());
        refused(rezip(archive, manifest(m -> m.put("windowId", "w2"))), Problem.FOREIGN); // files of another window
    }

    @Test
    void membersMissingOrUnlistedAreNamed() throws Exception {
        String log = "window/20261207T003500Z_" + ID + "_events.pcmlog";
        Path missing = rezip(archive, (name, bytes) -> name.equals(log) ? null : bytes);
        assertEquals(log, refused(missing, Problem.MISSING_MEMBER).member());
        Path extra = rezip(archive, (name, bytes) -> bytes, "window/20261207T003500Z_" + ID + "_extra.bin");
        assertEquals("window/20261207T003500Z_" + ID + "_extra.bin", refused(extra, Problem.UNLISTED_MEMBER).member());
    }

    @Test
    void anImportDoesNotOverwriteAWindowUnlessTold() throws Exception {
        Path verdicts = Files.createDirectories(tmp.resolve("verdicts"));
        Files.writeString(verdicts.resolve(ID + ".verdicts"), "MATCH\tsoft\t" + ID + "\t2000\t-\t-\t-\t\tfinal\n");
        Path log = files.getFirst();
        Files.write(log, new byte[] {1, 2, 3}); // the store's window differs from the bundle's
        EvidenceException e = assertThrows(EvidenceException.class, () -> WindowImport.into(archive, store, verdicts, false));
        assertEquals(Problem.WINDOW_EXISTS, e.problem());
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(log), "nothing changed");
        WindowImport.into(archive, store, verdicts, true);
        assertEquals(3_000, Files.size(log), "replaced by the bundle's");
        assertFalse(Files.exists(verdicts.resolve(ID + ".verdicts")), "the replaced window's verdicts went with it");
    }

    @Test
    void aDamagedArchiveImportsNothing() throws Exception {
        Path bad = rezip(archive, (name, bytes) -> {
            if (name.endsWith("_mem-final.bin")) bytes[0] ^= 1;
            return bytes;
        });
        Path into = tmp.resolve("third/windows");
        assertThrows(EvidenceException.class, () -> WindowImport.into(bad, into, tmp.resolve("third/verdicts"), false));
        assertFalse(Files.exists(into) && Files.list(into).findAny().isPresent(), "no file of the window in the store");
    }

    // ---------------------------------------------------------------- helpers

    static EvidenceException refused(Path archive, Problem problem) {
        EvidenceException e = assertThrows(EvidenceException.class, () -> EvidenceReader.check(archive), archive.toString());
        assertEquals(problem, e.problem(), e.getMessage());
        assertTrue(e.getMessage().contains(archive.toString()), "the message names the archive: " + e.getMessage());
        return e;
    }

    static BiFunction<String, byte[], byte[]> manifest(java.util.function.Consumer<ObjectNode> edit) {
        return (name, bytes) -> {
            if (!name.equals(EvidenceFormat.MANIFEST)) return bytes;
            try {
                ObjectNode m = (ObjectNode) EvidenceFormat.JSON.readTree(bytes);
                edit.accept(m);
                return EvidenceFormat.JSON.writeValueAsBytes(m);
            } catch (IOException x) {
                throw new IllegalStateException(x);
            }
        };
    }

    /** A copy of the archive with each member's bytes passed through {@code edit} (null drops it), plus extra members. */
    Path rezip(Path from, BiFunction<String, byte[], byte[]> edit, String... extra) throws IOException {
        Map<String, byte[]> members = new LinkedHashMap<>();
        try (ZipFile z = new ZipFile(from.toFile())) {
            for (ZipEntry e : Collections.list(z.entries())) {
                try (InputStream in = z.getInputStream(e)) {
                    members.put(e.getName(), in.readAllBytes());
                }
            }
        }
        Path to = Files.createTempFile(tmp, "edited", ".zip");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(to))) {
            for (var m : members.entrySet()) {
                byte[] b = edit.apply(m.getKey(), m.getValue());
                if (b == null) continue;
                z.putNextEntry(new ZipEntry(m.getKey()));
                z.write(b);
                z.closeEntry();
            }
            for (String x : extra) {
                z.putNextEntry(new ZipEntry(x));
                z.write(new byte[] {7});
                z.closeEntry();
            }
        }
        return to;
    }

    static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) if (hay[i + j] != needle[j]) continue outer;
            return i;
        }
        throw new AssertionError("not found");
    }

}
