package pcm.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The main job end to end: the exported runtime boots the embedded default guest through the real
 * bundles (kernel, KVM or software CPU, memory, PIC/PIT, UART, test device) and the guest's console
 * and exit counts come back through {@code pcm:run}.
 */
class GuestBootIT {

    /** Reference hashes of the default guest's workload (guest/README.md, docs/guest-contract.md). */
    static final Map<Integer, String> DONE = Map.of(1, "5bf4e12ca77e85db", 16, "78c2de34d5282ecf");
    static final Pattern COUNT = Pattern.compile("^\\s+([A-Z_]+)\\s+(\\d+)$");

    static Path data;

    @BeforeAll
    static void setUp() throws Exception {
        LauncherIT.paths();
        data = LauncherIT.data.resolveSibling("guest-data");
        Files.createDirectories(data.resolve("deploy"));
        Files.createDirectories(data.resolve("conf"));
    }

    static void assumeKvm() throws Exception {
        Path kvm = Path.of("/dev/kvm");
        assumeTrue(Files.isReadable(kvm) && Files.isWritable(kvm), "/dev/kvm is absent or not accessible: KVM guest boot skipped");
        String why = kvmProblem();
        assumeTrue(why == null, () -> "KVM is not usable here (" + why + "): KVM guest boot skipped");
    }

    private static volatile String kvmProblem;

    /**
     * Null unless PCM's kvm backend says it is not available, else what pcm:status says: a /dev/kvm that exists but
     * cannot run VMs (another device, KVM without nesting, bin/as-host) makes the KVM tests skip, not fail.
     */
    static synchronized String kvmProblem() throws Exception {
        if (kvmProblem == null) {
            LauncherIT.Run r = LauncherIT.exec(data, "pcm:status");
            kvmProblem = r.out().lines().map(String::strip).filter(l -> l.matches("kvm\\s+(yes|no)\\s.*")).findFirst()
                    .map(l -> l.matches("kvm\\s+yes\\s.*") ? "" : l)
                    .orElse(""); // no row at all (the component not up yet): let the test run and say what it finds
        }
        return kvmProblem.isEmpty() ? null : kvmProblem;
    }

    record GuestRun(int status, List<String> console, Map<String, Long> exits, String raw) {}

    /**
     * Beyond a pcm:run's --timeout, how long the launcher may take: the framework's start (pcm.exec.timeout is
     * 60 s), the usual drain of sampler and verifiers after the guest stopped (pcm:run allows each up to the
     * timeout again, a hang this does not wait out), the framework's stop.
     */
    static final long EXEC_MARGIN_SECONDS = 120;

    /** {@code pcm:run <options> --timeout <seconds>}, waiting for the launcher that long plus the margin. */
    static LauncherIT.Run execRun(Path data, String command, long timeoutSeconds) throws Exception {
        return LauncherIT.exec(data, command + " --timeout " + timeoutSeconds, timeoutSeconds + EXEC_MARGIN_SECONDS);
    }

    /** Boots the guest without sampling: these tests are about the guest and its exits. */
    static GuestRun run(String backend, int blocks) throws Exception {
        return runCommand("pcm:run --window 0 --backend " + backend + " --blocks " + blocks, 120);
    }

    /** Runs of {@link #run(String, int)} by backend and blocks, for tests that only look at such a run. */
    static final Map<String, GuestRun> RUNS = new ConcurrentHashMap<>();

    /** {@link #run(String, int)}, once per backend and blocks in this class (booting the guest is slow). */
    static GuestRun cachedRun(String backend, int blocks) throws Exception {
        String key = backend + "/" + blocks;
        GuestRun g = RUNS.get(key);
        if (g == null) {
            g = run(backend, blocks);
            RUNS.put(key, g);
        }
        return g;
    }

    static GuestRun runCommand(String command, long timeoutSeconds) throws Exception {
        LauncherIT.Run r = execRun(data, command, timeoutSeconds);
        List<String> lines = r.out().lines().toList();
        int stop = lines.stream().filter(l -> l.startsWith("guest stopped:")).findFirst().map(lines::indexOf).orElse(lines.size());
        Map<String, Long> exits = new LinkedHashMap<>();
        for (String l : lines.subList(stop, lines.size())) {
            Matcher m = COUNT.matcher(l);
            if (m.matches()) exits.put(m.group(1), Long.parseLong(m.group(2)));
        }
        return new GuestRun(r.status(), lines.subList(0, stop), exits, r.out() + "\n--- stderr ---\n" + r.err());
    }

    static void assertGuestDone(GuestRun g, int blocks) {
        assertEquals(0, g.status(), g.raw());
        assertEquals("PCM-GUEST-DONE " + DONE.get(blocks), g.console().getLast(), g.raw());
        assertEquals("PCM default guest 1", g.console().getFirst(), g.raw());
        assertTrue(g.console().contains("workload " + blocks + " blocks of 4096 bytes"), g.raw());
    }

    @Test
    void kvmRunsTheGuestToItsHashWithEveryExitKindItExercises() throws Exception {
        assumeKvm();
        GuestRun g = cachedRun("kvm", 16);
        assertGuestDone(g, 16);
        long consoleBytes = g.console().stream().mapToLong(l -> l.length() + 1).sum();
        // Every console byte is one OUT to the UART's THR, after at least one IN polling its LSR.
        assertTrue(g.exits().getOrDefault("PIO_OUT", 0L) >= consoleBytes, g.raw());
        assertTrue(g.exits().getOrDefault("PIO_IN", 0L) >= consoleBytes, g.raw());
        // ID and parameter reads; progress checkpoints, result and power off writes of the test device.
        assertEquals(2L, g.exits().get("MMIO_READ"), g.raw());
        assertTrue(g.exits().getOrDefault("MMIO_WRITE", 0L) >= 3, g.raw());
        // The finish sequence waits for timer ticks with sti; hlt: interrupts were injected and woke it.
        assertTrue(g.exits().getOrDefault("HLT", 0L) >= 1, g.raw());
    }

    /** Two boots on purpose: never {@link #cachedRun}. */
    @Test
    void kvmResultIsTheSameOnEveryRun() throws Exception {
        assumeKvm();
        GuestRun a = run("kvm", 1);
        GuestRun b = run("kvm", 1);
        assertGuestDone(a, 1);
        assertGuestDone(b, 1);
        assertEquals(a.console(), b.console());
    }

    @Test
    void softwareCpuRunsTheGuestToTheSameHash() throws Exception {
        GuestRun soft = cachedRun("soft", 16);
        assertGuestDone(soft, 16);
        assertTrue(soft.exits().getOrDefault("CPUID", 0L) >= 1, "CPUID leaves the interpreter as an exit: " + soft.raw());
        assertTrue(soft.exits().getOrDefault("NONDETERMINISTIC_INSN", 0L) >= 1, "RDTSC leaves the interpreter as an exit: " + soft.raw());
    }

    static final Pattern VERDICT = Pattern.compile("^window (\\S+) (MATCH|DIVERGED|INCONCLUSIVE) rcp=(\\S+) insns=(\\d+) events=(\\d+)$");

    /** The main job: windows recorded while the guest runs, each verified, one line per window and verifier. */
    @Test
    void mainJobRecordsAndVerifiesWindowsOnTheSoftwareCpu() throws Exception {
        GuestRun g = runCommand("pcm:run --backend soft --blocks 4096 --window 20000 --period 2", 120);
        assertEquals(0, g.status(), g.raw());
        List<Matcher> verdicts = g.raw().lines().map(VERDICT::matcher).filter(Matcher::matches).toList();
        // How many windows fit depends on the machine (each window copies guest memory twice); at least one must.
        assertTrue(verdicts.size() >= 1, "expected windows: " + g.raw());
        for (int i = 0; i < verdicts.size(); i++) {
            Matcher v = verdicts.get(i);
            assertEquals("MATCH", v.group(2), g.raw());
            assertEquals("soft", v.group(3), g.raw());
            long insns = Long.parseLong(v.group(4));
            // Full length, except the last window: the guest's power off closes it where the guest stopped.
            if (i < verdicts.size() - 1) assertEquals(20000L, insns, g.raw());
            else assertTrue(insns > 0 && insns <= 20000L, g.raw());
            assertTrue(Long.parseLong(v.group(5)) > 0, "a window of the guest logs inputs: " + g.raw());
        }
        assertTrue(g.raw().contains(verdicts.size() + " verdicts on " + verdicts.size() + " windows, 0 DIVERGED"), g.raw());
    }

    /**
     * {@code --windows N}: a run that ends once N windows are stored, however long the guest would run (the emulated SVM
     * host's tier counts its 50 KVM windows this way), with exit status 0 when every window MATCHes.
     */
    @Test
    void aRunEndsOnceItsWindowCountIsStored() throws Exception {
        GuestRun g = runCommand("pcm:run --backend soft --blocks 100000000 --window 5000 --period 2 --windows 3", 300);
        assertEquals(0, g.status(), g.raw());
        List<Matcher> verdicts = g.raw().lines().map(VERDICT::matcher).filter(Matcher::matches).toList();
        // the window open when the third was announced stored is closed where the guest is, and verified too
        assertTrue(verdicts.size() >= 3 && verdicts.size() <= 4, g.raw());
        for (Matcher v : verdicts.subList(0, 3)) assertEquals("5000", v.group(4), g.raw());
        assertTrue(verdicts.stream().allMatch(v -> v.group(2).equals("MATCH")), g.raw());
        assertTrue(g.raw().contains("stopped the guest once 3 windows were stored (--windows)"), g.raw());
        assertTrue(g.raw().contains("guest stopped: status 0 (stopped by the operator)"), g.raw());
        assertTrue(g.console().stream().noneMatch(l -> l.startsWith("PCM-GUEST-DONE")), "the guest did not finish: " + g.raw());
    }

    static final Pattern WHERE = Pattern.compile("first divergence at instruction (\\d+),");
    static final Pattern INJECTED = Pattern.compile("injected: .* at position (\\d+)");

    /**
     * The main job on KVM (kvm-step positions, a register checkpoint after every instruction), each window
     * verified by both verifiers — and, to prove they detect, by fault-injecting verifiers (factory
     * configurations of the pcm.tracers fault injector) that hand each window to the soft and to the kvm
     * verifier with its first logged input corrupted, with bit 40 of a register flipped at instruction 500, or with
     * a byte of unused RAM written at instruction 500.
     * Every true window must MATCH on both; every corrupted window must be DIVERGED at exactly the fault's
     * position.
     */
    @Test
    void mainJobOnKvmMatchesOnBothVerifiersAndDetectsInjectedFaults() throws Exception {
        assumeKvm();
        Path kvmData = data.resolveSibling("kvm-faults-data");
        Files.createDirectories(kvmData.resolve("deploy"));
        Path conf = Files.createDirectories(kvmData.resolve("conf"));
        List<String> faulty = List.of("input-soft", "input-kvm", "register-soft", "register-kvm", "memory-soft", "memory-kvm");
        Files.writeString(conf.resolve("pcm.verification.config"), "verifiers=[\"soft\",\"kvm\",\""
                + String.join("\",\"", faulty) + "\"]\n");
        String pid = "pcm.tracers.internal.fault.FaultInjectingVerifier";
        for (String target : List.of("soft", "kvm")) {
            String common = "target.target=\"(pcm.rcp.id=" + target + ")\"\n";
            Files.writeString(conf.resolve(pid + "-input" + target + ".config"), "pcm.rcp.id=\"input-" + target + "\"\n"
                    + common + "mode=\"input\"\nindex=I\"0\"\nmask=L\"32\"\n");
            // bit 40 of a register the instruction at 500 leaves alone: it changes that instruction's register fingerprint
            Files.writeString(conf.resolve(pid + "-register" + target + ".config"), "pcm.rcp.id=\"register-" + target
                    + "\"\n" + common + "mode=\"register\"\nindex=I\"-1\"\nmask=L\"1099511627776\"\nposition=L\"500\"\n");
            // 0x5A into a byte of the last page of RAM, which the guest never touches: only the final memory shows it
            Files.writeString(conf.resolve(pid + "-memory" + target + ".config"), "pcm.rcp.id=\"memory-" + target
                    + "\"\n" + common + "mode=\"memory\"\ngpa=L\"67104768\"\nbyteValue=I\"90\"\nposition=L\"500\"\n");
        }
        Map<String, Integer> exact = new LinkedHashMap<>();
        int windows = 0;
        // An input fault needs a window with an input in it: on a loaded host a run may record only 2-3 windows,
        // none with one (INCONCLUSIVE "no input event 0 to corrupt"). Every verdict of every run is checked;
        // the coverage (each fault found at least once) may take up to three runs.
        for (int attempt = 0; attempt < 3 && (attempt == 0 || !faulty.stream().allMatch(f -> exact.containsKey(f))); attempt++) {
            LauncherIT.Run r = execRun(kvmData, "pcm:run --backend kvm --blocks 100000 --window 1000 --period 5", 180);
            String raw = r.out() + "\n--- stderr ---\n" + r.err();
            List<String> lines = r.out().lines().toList();
            assertTrue(raw.contains("PCM-GUEST-DONE"), () -> "the guest did not finish: " + ending(r) + "\n--- whole output ---\n" + raw);
            int diverged = 0;
            for (int i = 0; i < lines.size(); i++) {
                Matcher v = VERDICT.matcher(lines.get(i));
                if (!v.matches()) continue;
                String rcp = v.group(3), outcome = v.group(2);
                String detail = i + 1 < lines.size() && !VERDICT.matcher(lines.get(i + 1)).matches() ? lines.get(i + 1) : "";
                if (rcp.equals("soft") || rcp.equals("kvm")) {
                    assertEquals("MATCH", outcome, raw);
                    if (rcp.equals("kvm")) windows++;
                    continue;
                }
                if (outcome.equals("INCONCLUSIVE")) {
                    assertTrue(detail.contains("to corrupt"), "only a window without the fault's target has nothing to corrupt: " + raw);
                    continue;
                }
                // with a register fingerprint after every instruction and a checkpoint every 1,024 (the defaults, with
                // last-writer tracing in between) nothing the fault touches hides: every corrupted window diverges, at
                // exactly the instruction that took the fault
                assertEquals("DIVERGED", outcome, rcp + ": " + raw);
                Matcher where = WHERE.matcher(detail), injected = INJECTED.matcher(detail);
                assertTrue(where.find() && injected.find(), raw);
                assertEquals(injected.group(1), where.group(1), "at the fault's position: " + detail);
                if (rcp.startsWith("memory-")) assertTrue(detail.contains(":= 0x5a"), "the configured byte: " + detail);
                exact.merge(rcp, 1, Integer::sum);
                diverged++;
            }
            if (diverged > 0) {
                assertEquals(1, r.status(), "DIVERGED verdicts make the main job fail: " + raw);
            }
        }
        assertTrue(windows >= 1, "expected windows");
        for (String rcp : faulty) assertTrue(exact.getOrDefault(rcp, 0) >= 1, rcp + " found no fault in three runs: " + exact);
    }

    /**
     * What a failed run's report must show first (CI keeps the start of a failure message): the exit status, how the
     * guest stopped, the run's own summary lines and the end of standard error, before the whole output.
     */
    static String ending(LauncherIT.Run r) {
        List<String> out = r.out().lines().toList(), err = r.err().lines().toList();
        StringBuilder b = new StringBuilder("exit status ").append(r.status()).append('\n');
        out.stream().filter(l -> l.startsWith("guest stopped") || l.contains("verdicts on") || l.contains("timed out")
                || l.contains("timeout") || l.startsWith("progress") || l.startsWith("PCM-")).forEach(l -> b.append(l).append('\n'));
        b.append("--- last lines of stderr ---\n");
        err.subList(Math.max(0, err.size() - 25), err.size()).forEach(l -> b.append(l).append('\n'));
        return b.toString();
    }

    @Test
    void consoleIsIdenticalOnBothBackends() throws Exception {
        assumeKvm();
        assertEquals(cachedRun("kvm", 16).console(), cachedRun("soft", 16).console());
    }
}
