package pcm.core.internal.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import pcm.core.api.cpu.Registers;
import pcm.core.api.cpu.Segment;
import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;
import pcm.core.api.sampling.SamplingException;
import pcm.core.api.verify.MalformedWindowException;
import pcm.core.api.verify.Snapshot;
import pcm.core.api.verify.Window;
import pcm.core.api.verify.WindowShape;
import pcm.core.internal.log.LogCheck;
import pcm.core.internal.log.LogFormat;

/**
 * Issue 11 item 5: systematic mutations of real recorded windows (the scripted vCPU under the real recorder,
 * event log and snapshot writer) — byte flips in every file, record reorders, record transplants between
 * windows, file exchanges between windows and between roles, truncations, and re-sealed values that a
 * verifier would narrow — must never load as a window that a verifier sees differently. A mutation counts
 * as rejected when the loader throws WindowDamagedException or WindowShape calls the window malformed.
 */
class WindowMutationTest {

    @TempDir
    Path src;
    @TempDir
    Path work;

    private final List<AutoCloseable> closing = new ArrayList<>();
    /** Files of windows A and B by role (log, cpu, mem-initial, mem-final). */
    private final Map<String, Path> a = new LinkedHashMap<>(), b = new LinkedHashMap<>();
    private String idA;
    private byte[] viewA;
    private final Map<String, int[]> figures = new LinkedHashMap<>();

    private static final String[] ROLES = {LogFormat.SUFFIX, SnapshotFiles.CPU_SUFFIX, SnapshotFiles.MEM_INITIAL_SUFFIX,
        SnapshotFiles.MEM_FINAL_SUFFIX};

    /** Other windows, recorded from the same program: the donors of transplanted records. */
    private final List<byte[]> otherLogs = new ArrayList<>();

    @BeforeEach
    void recordWindows() throws Exception {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            String id = record(40 + 3 * i); // windows of different lengths: a file of another window differs
            assertTrue(!ids.contains(id), "window ids are unique");
            ids.add(id);
        }
        WindowStore store = new WindowStore(src);
        idA = ids.get(0);
        for (String role : ROLES) {
            a.put(role, one(store.files(idA), role));
            b.put(role, one(store.files(ids.get(1)), role));
        }
        for (String id : ids.subList(1, ids.size())) otherLogs.add(Files.readAllBytes(one(store.files(id), LogFormat.SUFFIX)));
        viewA = view(store.load(idA).orElseThrow());
        copyTree(src.resolve(PageStore.DIR), work.resolve(PageStore.DIR)); // the page store the maps name
    }

    static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (var s = Files.walk(root)) {
            for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (var s = Files.walk(from)) {
            for (Path p : s.toList()) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) Files.createDirectories(t);
                else Files.copy(p, t);
            }
        }
    }

    /** One window of the scripted program on a fresh VM, into src. */
    private String record(long length) throws Exception {
        return ScriptedWindows.record(src, length, closing);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closing.reversed()) c.close();
    }

    private static Path one(List<Path> files, String suffix) {
        List<Path> l = files.stream().filter(p -> p.getFileName().toString().endsWith(suffix)).toList();
        assertEquals(1, l.size(), suffix + " in " + files);
        return l.getFirst();
    }

    // ---------------------------------------------------------------- the mutations

    @Test
    void noMutationThatChangesWhatAVerifierSeesIsAccepted() throws Exception {
        // sanity: the unmutated copy loads and is seen as recorded
        assertEquals("accepted-same", outcome(Map.of()));

        // byte flips: every byte of every file (one bit, rotating through the 8)
        for (String role : ROLES) {
            byte[] good = Files.readAllBytes(a.get(role));
            for (int at = 0; at < good.length; at++) {
                byte[] bad = good.clone();
                bad[at] ^= (byte) (1 << (at % 8));
                count("byte flip " + role, Map.of(role, bad));
            }
        }
        // truncations: every length of every file, and the file missing
        for (String role : ROLES) {
            byte[] good = Files.readAllBytes(a.get(role));
            for (int len = 0; len < good.length; len++) count("truncation " + role, Map.of(role, Arrays.copyOf(good, len)));
            count("missing " + role, Map.of(role, new byte[0]), role);
        }
        // record reorders within A's log, record transplants from B's log (records of equal length)
        byte[] logA = Files.readAllBytes(a.get(LogFormat.SUFFIX));
        List<int[]> ra = records(logA);
        for (int i = 0; i < ra.size(); i++) {
            for (int j = 0; j < ra.size(); j++) {
                if (i == j || ra.get(i)[1] != ra.get(j)[1]) continue;
                byte[] m = logA.clone();
                System.arraycopy(logA, ra.get(i)[0], m, ra.get(j)[0], ra.get(i)[1]);
                count("record duplicated over another", Map.of(LogFormat.SUFFIX, m));
                if (j < i) continue;
                System.arraycopy(logA, ra.get(j)[0], m, ra.get(i)[0], ra.get(j)[1]);
                count("record reorder", Map.of(LogFormat.SUFFIX, m));
            }
            for (byte[] other : otherLogs) {
                for (int[] r : records(other)) {
                    if (r[1] != ra.get(i)[1]) continue;
                    byte[] m = logA.clone();
                    System.arraycopy(other, r[0], m, ra.get(i)[0], r[1]);
                    if (Arrays.equals(m, logA)) continue;
                    count("record transplant from another window", Map.of(LogFormat.SUFFIX, m));
                }
            }
        }
        // a file of window B in place of A's (same role)
        for (String role : ROLES) count("file from another window", Map.of(role, Files.readAllBytes(b.get(role))));
        // a file of another role of A in place of each role (incl. mem-initial and mem-final exchanged)
        for (String to : ROLES) {
            for (String from : ROLES) {
                if (!from.equals(to)) count("file of another role", Map.of(to, Files.readAllBytes(a.get(from))));
            }
        }
        count("memory files exchanged", Map.of(SnapshotFiles.MEM_INITIAL_SUFFIX, Files.readAllBytes(a.get(SnapshotFiles.MEM_FINAL_SUFFIX)),
                SnapshotFiles.MEM_FINAL_SUFFIX, Files.readAllBytes(a.get(SnapshotFiles.MEM_INITIAL_SUFFIX))));
        // all three snapshot files of B beside A's log (a whole set from another window)
        Map<String, byte[]> set = new LinkedHashMap<>();
        for (String role : List.of(SnapshotFiles.CPU_SUFFIX, SnapshotFiles.MEM_INITIAL_SUFFIX, SnapshotFiles.MEM_FINAL_SUFFIX)) {
            set.put(role, Files.readAllBytes(b.get(role)));
        }
        count("snapshot set from another window", set);

        int tried = 0, accepted = 0, changed = 0;
        StringBuilder sb = new StringBuilder("window mutations (tried / rejected / accepted unchanged / accepted CHANGED):\n");
        for (Map.Entry<String, int[]> f : figures.entrySet()) {
            int[] v = f.getValue();
            tried += v[0];
            accepted += v[2];
            changed += v[3];
            sb.append(String.format("  %-40s %6d %6d %4d %4d  %s%n", f.getKey(), v[0], v[1], v[2], v[3],
                    reasons.getOrDefault(f.getKey(), Map.of())));
        }
        sb.append(String.format("  %-40s %6d %6d %4d %4d", "total", tried, tried - accepted - changed, accepted, changed));
        System.out.println(sb);
        assertEquals(0, changed, sb.toString());
        assertEquals(0, accepted, "every mutation above changes a checked byte, and each is rejected\n" + sb);
        // ~6,300 since memory pages are deflated (snapshot 1.2) and events batched (log 1.3): the files, and so the
        // byte mutations, are smaller
        assertTrue(tried > 5_000, sb.toString());
        // a cut file is torn, never corrupt; an intact file in the wrong place is a mix-up, never a verdict
        for (String role : ROLES) {
            assertEquals(Map.of("TRUNCATED", figures.get("truncation " + role)[0]), reasons.get("truncation " + role), role);
            // without its log there is no window of that id (its snapshot files are orphans retention sweeps)
            assertEquals(Map.of(role.equals(LogFormat.SUFFIX) ? "no-log" : "MISSING", 1), reasons.get("missing " + role), role);
        }
        for (String k : List.of("file from another window", "file of another role", "memory files exchanged",
                "snapshot set from another window")) {
            assertEquals(Map.of("MISMATCHED", figures.get(k)[0]), reasons.get(k), k);
        }
    }

    /** Logged values a verifier narrows, re-sealed (the files' checks recomputed): only the range checks see them. */
    @Test
    void valuesAVerifierWouldNarrowAreMalformed() throws Exception {
        Window w = new WindowStore(src).load(idA).orElseThrow();
        WindowShape.endPosition(w);
        // the example: vector 0x40000000000020 replayed as 0x20 and MATCHed
        PcmEvent irq = w.events().stream().filter(e -> e.kind() == EventKind.INTERRUPT).findFirst().orElseThrow();
        List<PcmEvent> evil = new ArrayList<>(w.events());
        evil.set(w.events().indexOf(irq), new PcmEvent(EventKind.INTERRUPT, irq.vcpu(), irq.position(), irq.rip(), irq.rcx(),
                0x40000000000020L, irq.value(), irq.data(), irq.timestampNanos()));
        MalformedWindowException mx = org.junit.jupiter.api.Assertions.assertThrows(MalformedWindowException.class,
                () -> WindowShape.endPosition(with(w, w.initial(), evil, w.end())));
        assertTrue(mx.getMessage().contains("vector 0x40000000000020"), mx.getMessage());
        List<PcmEvent> probes = new ArrayList<>(w.events());
        // kinds the scripted window does not log, with in-range values
        probes.add(new PcmEvent(EventKind.MSR_READ, 0, 1, 0, 0, 0xC000_0080L, 5, null, 0));
        probes.add(new PcmEvent(EventKind.RDPMC, 0, 1, 0, 0, 0x4000_0001L, 5, null, 0));
        probes.add(new PcmEvent(EventKind.MMIO_WRITE, 0, 1, 0, 0, 0xFEE0_0000L, 0xAB, new byte[] {1}, 0));
        probes.add(new PcmEvent(EventKind.REG_WRITE, 0, 1, 0, 0, 17, 2, null, 0));
        int tried = 0, accepted = 0;
        List<String> missed = new ArrayList<>();
        for (PcmEvent e : probes) {
            WindowShape.checkEvent(e); // the original is well-formed
            for (PcmEvent m : aliases(e)) {
                tried++;
                try {
                    WindowShape.checkEvent(m);
                    accepted++;
                    missed.add(m.kind() + " address 0x" + Long.toHexString(m.address()) + " value 0x" + Long.toHexString(m.value()));
                } catch (MalformedWindowException expected) {
                    // rejected
                }
            }
        }
        // snapshot fields a verifier ignores: reserved RFLAGS bits, FXSAVE images of other sizes
        for (Snapshot s : List.of(w.initial(), w.end())) {
            long rf = s.registers().rflags();
            List<Snapshot> bad = new ArrayList<>();
            bad.add(withRflags(s, rf & ~2L));
            for (int bit : new int[] {3, 5, 15, 22, 31, 32, 63}) bad.add(withRflags(s, rf | 1L << bit));
            for (int size : new int[] {1, 416, 511, 513, 1024}) {
                bad.add(new Snapshot(s.position(), s.registers(), s.specialRegisters(), new byte[size], s.msrs(), s.memory()));
            }
            for (Snapshot x : bad) {
                tried++;
                Window mw = with(w, s == w.initial() ? x : w.initial(), w.events(), s == w.end() ? x : w.end());
                try {
                    WindowShape.endPosition(mw);
                    accepted++;
                    missed.add("snapshot rflags 0x" + Long.toHexString(x.registers().rflags()) + " fpu " + x.fpu().length);
                } catch (MalformedWindowException expected) {
                    // rejected
                }
            }
        }
        System.out.println("re-sealed narrowed values: tried " + tried + ", accepted " + accepted);
        assertEquals(List.of(), missed);
        assertEquals(0, accepted);
    }

    /** {@code w} with other snapshots and events (a proxy: whatever else Window offers is w's). */
    private static Window with(Window w, Snapshot initial, List<PcmEvent> events, Snapshot end) {
        return (Window) java.lang.reflect.Proxy.newProxyInstance(Window.class.getClassLoader(), new Class<?>[] {Window.class},
                (proxy, m, args) -> switch (m.getName()) {
                    case "initial" -> initial;
                    case "end" -> end;
                    case "events" -> events;
                    default -> {
                        try {
                            yield m.invoke(w, args);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    }
                });
    }

    /** Variants of e whose out-of-range bits a verifier would cut off (what the verifier sees is unchanged). */
    private static List<PcmEvent> aliases(PcmEvent e) {
        List<PcmEvent> out = new ArrayList<>();
        Function<Long, PcmEvent> addr = v -> new PcmEvent(e.kind(), e.vcpu(), e.position(), e.rip(), e.rcx(), v, e.value(), e.data(), e.timestampNanos());
        Function<Long, PcmEvent> val = v -> new PcmEvent(e.kind(), e.vcpu(), e.position(), e.rip(), e.rcx(), e.address(), v, e.data(), e.timestampNanos());
        int addressBits = switch (e.kind()) {
            case INTERRUPT -> 8;
            case PIO_IN -> 16;
            case CPUID, MSR_READ, RDPMC -> 32;
            case REG_WRITE -> 5;
            default -> 64;
        };
        for (int bit = addressBits; bit < 64; bit++) out.add(addr.apply(e.address() | 1L << bit));
        if ((e.kind() == EventKind.PIO_IN || e.kind() == EventKind.MMIO_READ || e.kind() == EventKind.MMIO_WRITE)
                && e.data().length == 1 && e.data()[0] < 8) {
            for (int bit = 8 * e.data()[0]; bit < 64; bit++) out.add(val.apply(e.value() | 1L << bit));
        }
        if (e.kind() == EventKind.CPUID) {
            out.add(new PcmEvent(e.kind(), e.vcpu(), e.position(), e.rip(), e.rcx(), e.address(), e.value(),
                    Arrays.copyOf(e.data(), 12), e.timestampNanos()));
        }
        return out;
    }

    private static Snapshot withRflags(Snapshot s, long rflags) {
        long[] r = s.registers().toArray();
        r[17] = rflags;
        return new Snapshot(s.position(), Registers.fromArray(r), s.specialRegisters(), s.fpu(), s.msrs(), s.memory());
    }

    /** The mix-ups are typed damage naming the file and what is wrong, never a window to verify. */
    @Test
    void mixUpsAreMismatchedWindows() throws Exception {
        record Case(Map<String, byte[]> files, String file, String says) {}
        byte[] init = Files.readAllBytes(a.get(SnapshotFiles.MEM_INITIAL_SUFFIX));
        byte[] fin = Files.readAllBytes(a.get(SnapshotFiles.MEM_FINAL_SUFFIX));
        List<Case> cases = List.of(
                new Case(Map.of(SnapshotFiles.MEM_INITIAL_SUFFIX, fin, SnapshotFiles.MEM_FINAL_SUFFIX, init),
                        SnapshotFiles.MEM_INITIAL_SUFFIX, "holds the final memory, loaded as the initial"),
                new Case(Map.of(SnapshotFiles.CPU_SUFFIX, Files.readAllBytes(b.get(SnapshotFiles.CPU_SUFFIX))),
                        SnapshotFiles.CPU_SUFFIX, "CPU state of window"),
                new Case(Map.of(SnapshotFiles.MEM_FINAL_SUFFIX, Files.readAllBytes(b.get(SnapshotFiles.MEM_FINAL_SUFFIX))),
                        SnapshotFiles.MEM_FINAL_SUFFIX, "memory of window"),
                new Case(Map.of(LogFormat.SUFFIX, Files.readAllBytes(b.get(LogFormat.SUFFIX))),
                        LogFormat.SUFFIX, "header names window"));
        for (Case c : cases) {
            outcome(c.files()); // lays the files out in work
            var x = org.junit.jupiter.api.Assertions.assertThrows(pcm.core.api.sampling.WindowDamagedException.class,
                    () -> new WindowStore(work).load(idA));
            assertEquals(pcm.core.api.sampling.WindowDamagedException.Problem.MISMATCHED, x.problem(), x.getMessage());
            assertTrue(x.file().endsWith(c.file()), x.getMessage());
            assertTrue(x.getMessage().contains(c.says()), x.getMessage());
        }
        // a second file for a role, under another window start (copied in from elsewhere): ambiguous
        for (String role : ROLES) {
            outcome(Map.of());
            String name = a.get(role).getFileName().toString();
            Files.copy(a.get(role), work.resolve("19990101T000000.000000Z" + name.substring(name.indexOf('_'))));
            var x = org.junit.jupiter.api.Assertions.assertThrows(pcm.core.api.sampling.WindowDamagedException.class,
                    () -> new WindowStore(work).load(idA));
            assertEquals(pcm.core.api.sampling.WindowDamagedException.Problem.MISMATCHED, x.problem(), x.getMessage());
        }
    }

    /** Old snapshot files (format 1.0, no binding) of the same window still load, and are seen the same. */
    @Test
    void olderCpuFilesStillLoad() throws Exception {
        WindowStore store = new WindowStore(src);
        SnapshotFiles.CpuFile c = SnapshotFiles.readCpu(a.get(SnapshotFiles.CPU_SUFFIX));
        assertEquals(SnapshotFiles.MINOR_TRACES, c.minor());
        SnapshotFiles.writeCpu(a.get(SnapshotFiles.CPU_SUFFIX), c.windowId(), c.backend(), c.initial(), c.end(), null);
        SnapshotFiles.CpuFile old = SnapshotFiles.readCpu(a.get(SnapshotFiles.CPU_SUFFIX));
        assertEquals(0, old.minor());
        assertEquals(null, old.binding());
        assertEquals(java.util.HexFormat.of().formatHex(viewA), java.util.HexFormat.of().formatHex(view(store.load(idA).orElseThrow())));
        // what a 1.0 CPU file still proves: its window id
        SnapshotFiles.CpuFile cb = SnapshotFiles.readCpu(b.get(SnapshotFiles.CPU_SUFFIX));
        SnapshotFiles.writeCpu(a.get(SnapshotFiles.CPU_SUFFIX), cb.windowId(), cb.backend(), cb.initial(), cb.end(), null);
        var x = org.junit.jupiter.api.Assertions.assertThrows(pcm.core.api.sampling.WindowDamagedException.class, () -> store.load(idA));
        assertEquals(pcm.core.api.sampling.WindowDamagedException.Problem.MISMATCHED, x.problem(), x.getMessage());
    }

    // ---------------------------------------------------------------- running one mutation

    /** Copies A's files into the work directory with the given roles' contents replaced, loads, and classifies. */
    private String outcome(Map<String, byte[]> replaced, String... deleted) throws Exception {
        try (var s = Files.list(work)) {
            for (Path p : s.toList()) if (!Files.isDirectory(p)) Files.delete(p);
        }
        for (String role : ROLES) {
            if (Arrays.asList(deleted).contains(role)) continue;
            Path to = work.resolve(a.get(role).getFileName());
            byte[] content = replaced.get(role);
            if (content != null) Files.write(to, content);
            else Files.copy(a.get(role), to);
        }
        Window w;
        try {
            w = new WindowStore(work).load(idA).orElse(null);
        } catch (pcm.core.api.sampling.WindowDamagedException e) {
            return "rejected " + e.problem();
        } catch (SamplingException e) {
            return "rejected " + e;
        }
        if (w == null) return "rejected no-log"; // no log: nothing to verify
        try {
            WindowShape.endPosition(w);
        } catch (MalformedWindowException e) {
            return "rejected malformed";
        }
        if (replaced.containsKey(LogFormat.SUFFIX)) {
            // the log was accepted by the loader: `pcm:log check` must agree
            assertEquals(LogCheck.Status.VALID, LogCheck.check(work.resolve(a.get(LogFormat.SUFFIX).getFileName())).status());
        }
        return Arrays.equals(view(w), viewA) ? "accepted-same" : "accepted-CHANGED";
    }

    private void count(String what, Map<String, byte[]> replaced, String... deleted) throws Exception {
        String o = outcome(replaced, deleted);
        int[] f = figures.computeIfAbsent(what, k -> new int[4]);
        f[0]++;
        if (o.startsWith("rejected")) {
            f[1]++;
            reasons.computeIfAbsent(what, k -> new java.util.TreeMap<>()).merge(o.substring("rejected ".length()), 1, Integer::sum);
        } else if (o.equals("accepted-same")) {
            f[2]++;
        } else {
            f[3]++;
        }
    }

    /** How each kind of mutation was rejected (problem or "malformed"), by count. */
    private final Map<String, Map<String, Integer>> reasons = new LinkedHashMap<>();

    /** [offset, length] of every record after the header, the trailer last. */
    private static List<int[]> records(byte[] log) {
        List<int[]> out = new ArrayList<>();
        ByteBuffer bb = ByteBuffer.wrap(log).order(ByteOrder.LITTLE_ENDIAN);
        int off = 24 + bb.getInt(12);
        while (off < log.length) {
            int len = 12 + bb.getInt(off);
            out.add(new int[] {off, len});
            off += len;
        }
        assertNotEquals(0, out.size());
        return out;
    }

    // ---------------------------------------------------------------- what a verifier sees

    /** A digest of everything a verifier reads of a window (not the timestamps, which no verifier compares). */
    static byte[] view(Window w) throws Exception {
        MessageDigest d = MessageDigest.getInstance("SHA-256");
        ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        b.put(w.id().getBytes()).put((byte) 0).put(w.backend().getBytes()).put((byte) 0);
        flush(d, b);
        for (PcmEvent e : w.events()) {
            b.putInt(e.kind().ordinal()).putInt(e.vcpu()).putLong(e.position()).putLong(e.rip()).putLong(e.rcx())
                    .putLong(e.address()).putLong(e.value()).putInt(e.data().length);
            flush(d, b);
            d.update(e.data());
        }
        for (Snapshot s : List.of(w.initial(), w.end())) {
            b.putLong(s.position());
            for (long r : s.registers().toArray()) b.putLong(r);
            var sr = s.specialRegisters();
            for (Segment g : List.of(sr.cs(), sr.ds(), sr.es(), sr.fs(), sr.gs(), sr.ss(), sr.tr(), sr.ldt())) {
                b.put(g.toString().getBytes());
            }
            b.put(sr.gdt().toString().getBytes()).put(sr.idt().toString().getBytes());
            b.putLong(sr.cr0()).putLong(sr.cr2()).putLong(sr.cr3()).putLong(sr.cr4()).putLong(sr.cr8()).putLong(sr.efer())
                    .putLong(sr.apicBase());
            b.putInt(s.fpu() == null ? -1 : s.fpu().length);
            flush(d, b);
            if (s.fpu() != null) d.update(s.fpu());
            new java.util.TreeMap<>(s.msrs()).forEach((k, v) -> b.putInt(k).putLong(v));
            b.putLong(s.memory().size());
            flush(d, b);
            byte[] page = new byte[4096];
            for (long at = 0; at < s.memory().size(); at += 4096) {
                s.memory().read(at, page, 0, 4096);
                d.update(page);
            }
        }
        return d.digest();
    }

    private static void flush(MessageDigest d, ByteBuffer b) {
        b.flip();
        d.update(b);
        b.clear();
    }
}
