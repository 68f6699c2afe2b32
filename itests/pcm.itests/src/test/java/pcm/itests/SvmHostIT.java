package pcm.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.parallel.Isolated;

/**
 * Issue 12 items 1 and 2: PCM on a real hardware-virtualization KVM, the AMD SVM that QEMU's software emulator
 * offers to a Debian kernel ({@code bin/svm-host}, docs/svm-host.md). Boots the emulated host twice: once for
 * {@code kvmtests} (pcm.vmx's KVM tests), once for PCM itself: on request {@code kvm_run} (the KVM backend takes the
 * embedded guest to its end mark; -Dpcm.svm.kvmRun=true), {@code windows} (the main job on KVM until 50 windows are
 * stored, each verified by soft and kvm) and {@code faults} (fault-injecting verifiers: every corrupted window DIVERGED
 * at exactly the instruction of its fault; their bundle hot-swapped through the Redfish UpdateService while the guest
 * runs); then asserts on the serial-console markers.
 * <p>
 * In the default test run. Installs QEMU first where it is missing and apt can ({@code bin/svm-host deps}); skips
 * with the script's reason only where QEMU or the Debian packages cannot be had (exit status 77), or with
 * {@code -Dpcm.svm=false}. Sizes: {@code -Dpcm.svm.minWindows} (2; 50 with the windows scenario),
 * {@code -Dpcm.svm.pcmJvmOptions} (the scenarios' default: C1 only), {@code -Dpcm.svm.windowSeconds} (0: the windows
 * scenario is left out and the faults run's true windows are counted; 300 for issue 12's 50), {@code -Dpcm.svm.faultSeconds} (220, the
 * faults scenario's budget), {@code -Dpcm.svm.timeout} (320 + windowSeconds, the PCM VM's), {@code
 * -Dpcm.svm.kvmtestsTimeout} (200), {@code -Dpcm.svm.linux=true} (adds the linux scenario: Debian's kernel on PCM's KVM
 * backend, its scripted session and power-off).
 */
@Isolated("QEMU's TCG takes both cores and the scenarios run against the emulated host's deadline")
class SvmHostIT {

    static final String GUEST_DONE = "PCM-GUEST-DONE 78c2de34d5282ecf";
    static final Pattern VERDICT = Pattern.compile("\\[(\\w+)\\] window (\\S+) (MATCH|DIVERGED|INCONCLUSIVE) rcp=(\\S+) .*");

    /** Only a faults run cut short by the VM's deadline is excused; one that had its budget, or ended itself, is judged. */
    @Test
    void aFaultsRunStarvedOfItsBudgetIsASkipNotAVerdict() {
        String starved = "SVM-SCENARIO-END kvmtests rc=0 seconds=132.1\nSVM-SCENARIO-END kvm_run rc=0 seconds=141.1\n"
            + "SVM-RESULT faults rc=143 runs=1 kinds_found=/6 0 DIVERGED 0 MATCH\nSVM-SCENARIO-END faults rc=143 seconds=104.3\n";
        String reason = starvedScenario(starved, 220);
        assertTrue(reason != null && reason.contains("kvmtests 132.1 s") && reason.contains("kvm_run 141.1 s")
            && reason.contains("104.3 of its 220 s"), String.valueOf(reason));
        assertEquals(null, starvedScenario(starved.replace("seconds=104.3", "seconds=221.0"), 220), "had its whole budget");
        assertEquals(null, starvedScenario(starved.replace("faults rc=143", "faults rc=1"), 220), "ended by itself");
        assertEquals(null, starvedScenario("SVM-SCENARIO-END kvmtests rc=0 seconds=50\n", 220), "faults never began");
    }

    /** One boot of the emulated host: its exit status, its console and both for failure messages. */
    record Tier(int status, String log, String all) {}

    /**
     * Boots the emulated SVM host with the scenarios and returns its console; skips (aborts) where there is no verdict to
     * give: no QEMU or packages (77), the whole VM froze (4), the JVM inside crashed in every attempt of a scenario.
     */
    private static Tier boot(String name, List<String> scenarios, int vmSeconds) throws Exception {
        Assumptions.assumeTrue(!"false".equals(System.getProperty("pcm.svm")),
            "the emulated-SVM tier is off (-Dpcm.svm=false)");
        Path script = Path.of(System.getProperty("pcm.repo.root", "../..")).resolve("bin/svm-host").toAbsolutePath().normalize();
        Path dir = Files.createDirectories(Path.of(System.getProperty("pcm.itest.workdir", "target/itest"), "svm-host")).toAbsolutePath();
        Path console = dir.resolve("console-" + name + ".log");
        Path out = dir.resolve("svm-host-" + name + ".txt");
        Files.deleteIfExists(console);
        if (run(List.of(script.toString(), "deps"), dir, dir.resolve("deps.txt"), 900) == 77) {
            Assumptions.abort("emulated SVM host unavailable: " + skipReason(Files.readString(dir.resolve("deps.txt"))));
        }
        List<String> cmd = new ArrayList<>(List.of(script.toString(), "run", "--quiet", "--timeout", Integer.toString(vmSeconds),
            "--log", console.toString()));
        cmd.addAll(scenarios);
        int status = run(cmd, dir, out, vmSeconds + 600L);
        // Status 4: QEMU was killed at its timeout although every scenario inside is bounded by an earlier deadline: the
        // whole emulated host fell silent (stop 23: 3 times in ~12 runs, the same image passing before and after; QEMU
        // TCG, like the JVM crashes below). No verdict either way, and no time in the suite to repeat the VM: skipped,
        // naming it, with what QEMU's monitor said of the vCPUs then (SVM-FREEZE lines, bin/svm-host freeze_report).
        String early = Files.exists(console) ? Files.readString(console) : "";
        // The emulated host's own kernel broke down (stop 28: a soft lockup of pcm-vcpu-0 inside KVM_RUN, then "Kernel
        // panic - not syncing: corrupted stack end detected inside scheduler", after a window whose registers held the
        // emulated host's kvm_amd addresses): a user process cannot corrupt its kernel's stack; QEMU TCG's nested SVM
        // did. No verdict either way: skipped, naming it.
        Matcher panic = Pattern.compile("(Kernel panic[^\n]*|BUG: soft lockup[^\n]*)").matcher(early);
        if (panic.find()) {
            String first = panic.group(1);
            String second = panic.find() ? "; " + panic.group(1) : "";
            System.out.println("SvmHostIT: the emulated host's kernel broke down:\n" + tail(early, 4000));
            Assumptions.abort("the emulated SVM host's kernel broke down (QEMU TCG nested SVM; docs/svm-host.md, \"Fifty windows\"): "
                + first + second + "\nlast PCM lines:\n" + tail(early.lines().filter(l -> l.startsWith("~"))
                    .collect(java.util.stream.Collectors.joining("\n")), 800));
        }
        if (status == 4) {
            String first = early;
            String freeze = first.lines().filter(l -> l.startsWith("SVM-FREEZE")).collect(java.util.stream.Collectors.joining("\n"));
            System.out.println("SvmHostIT: the emulated host did not end by itself (status 4):\n" + freeze + "\nits last lines:\n"
                + tail(first, 3000));
            Assumptions.abort("the emulated SVM host froze (QEMU TCG; docs/svm-host.md, whole-VM freezes): " + tail(freeze, 1200)
                + "\nlast lines:\n" + tail(first.lines().filter(l -> !l.startsWith("SVM-FREEZE"))
                    .collect(java.util.stream.Collectors.joining("\n")), 800));
        }
        String text = Files.readString(out);
        if (status == 77) {
            Assumptions.abort("emulated SVM host unavailable: " + skipReason(text));
        }
        String log = Files.exists(console) ? Files.readString(console) : "";
        String all = text + "\n--- console (" + console + ") ---\n" + tail(log, 20000);
        // The JVM inside QEMU TCG dies of SIGSEGV now and then (C1 code, even libjvm; docs/svm-host.md "Flakiness"); a
        // scenario repeats such a run twice. A scenario whose every attempt died that way has no verdict: skip, naming it.
        Matcher crashed = Pattern.compile("SVM-JVM-CRASH (\\w+) attempt=2 (.*)").matcher(log);
        // Also when the third attempt then ran out of the scenario's time (rc 124/137/143: stop 24, two crashes in the
        // faults scenario on a loaded host left the third 60 s, and the deadline killed it at 375 of 3,000 blocks).
        if (crashed.find() && resultLine(log, crashed.group(1)).matches("SVM-RESULT \\S+ rc=(134|124|137|143) .*")) {
            Assumptions.abort("the JVM inside the emulated SVM host crashed in 2 of the 3 attempts of scenario " + crashed.group(1)
                + " and the last crashed too or ran out of time (QEMU TCG, not a PCM verdict; " + resultLine(log, crashed.group(1))
                + "; last crash: " + crashed.group(2) + ")");
        }
        return new Tier(status, log, all);
    }

    /**
     * pcm.vmx's own KVM tests on SVM (registers, special registers, FPU/XSAVE, vCPU events, single-step, dirty log, CPUID
     * masks, the kvm-step counter), in a VM of their own: their thousands of kicks of a nested vCPU were followed by
     * whole-VM freezes of QEMU TCG (stops 23, 24 and 28: the next scenario's first window retired nothing, then the
     * emulated host fell silent), which cost the PCM scenarios after them their verdicts.
     */
    @Test
    void kvmBackendTestsPassOnEmulatedSvm() throws Exception {
        // 62-103 s here; a frozen VM runs to this bound, so it is not much more (the suite's 20 minutes)
        Tier t = boot("kvmtests", List.of("kvmtests"), Integer.getInteger("pcm.svm.kvmtestsTimeout", 200));
        assertTrue(t.log().contains("SVM-HOST-READY") && t.log().contains("kvm=present"), "no /dev/kvm in the emulated host\n" + t.all());
        assertTrue(resultLine(t.log(), "kvmtests").startsWith("SVM-RESULT kvmtests rc=0 "), "kvmtests\n" + t.all());
        assertEquals(0, t.status(), t.all());
    }

    @Test
    void kvmBackendWindowsAndInjectedFaultsOnEmulatedSvm() throws Exception {
        // Issue 12: at least 50 KVM-recorded windows MATCH on both verifiers. -Dpcm.svm.windowSeconds=300 adds the
        // windows scenario: one long guest until pcm:run --windows has 50 stored (stop 28: one JVM start instead of one
        // per short guest, C1 only, and the counter's registers decoded on the heap took it from ~10 to 51-90 windows in
        // 130-300 s). Not in the default run: the suite's 20 minutes have no room for it beside the rest (~3 min more).
        // The guest's triple fault between windows that kept it out in stop 28 was QEMU's nested SVM breaking the
        // recording guest when a kvm replay VM was destroyed; the kvm RCP keeps its VMs now (docs/svm-host.md, "The
        // triple fault between windows"). Without it the faults run's true windows are counted (at least 2).
        int windowSeconds = Integer.getInteger("pcm.svm.windowSeconds", 0);
        int minWindows = Integer.getInteger("pcm.svm.minWindows", windowSeconds > 0 ? 50 : 2);
        // the faults run's budget: 150 s gave 2-4 windows (each verified by eight verifiers) on a loaded AMD host
        int faultSeconds = Integer.getInteger("pcm.svm.faultSeconds", 220);
        // the guest's length in the faults run: 3,000 blocks gave 2-4 true windows on earlier hosts but 1 on the AMD host
        // of stop 26 (faults ended after 103 s, 6/6 fault kinds found), under the floor of 2 per verifier
        // (stop 27, with -Dpcm.svm.pcmJvmOptions=-XX:TieredStopAtLevel=1 and 60,000 blocks: 6 true windows in 93 s from
        // bin/svm-host without the hot swap, but 4 in 192 s inside SvmHostIT with it; 6,000 with the default JIT: 3 in 126 s)
        int faultBlocks = Integer.getInteger("pcm.svm.faultBlocks", 6000);
        // PCM's JVM options inside the emulated host; empty: the scenarios' default, C1 only (-XX:TieredStopAtLevel=1,
        // stop 28: the 6,000-block faults run took 45 s instead of 126 s in stop 27).
        String pcmJvmOptions = System.getProperty("pcm.svm.pcmJvmOptions", "").strip();
        // The whole VM's time; every scenario inside is bounded by the deadline derived from it (bin/svm-host), so the
        // results reach the console before QEMU ends.
        int vmSeconds = Integer.getInteger("pcm.svm.timeout", 320 + windowSeconds);
        // kvm_run (the main job alone on kvm_amd, ~120 s on an AMD host of stop 26) on request only: with it the faults
        // scenario was starved of its budget there (kvmtests 118 s + kvm_run 118 s left it 148 s), so the tier gave no
        // verdict; the faults run records on kvm_amd too and checks its windows with both verifiers
        boolean kvmRun = Boolean.getBoolean("pcm.svm.kvmRun");
        List<String> cmd = new ArrayList<>();
        if (!pcmJvmOptions.isEmpty()) cmd.add("jopts:" + pcmJvmOptions); // for the PCM runs of the scenarios after it
        if (kvmRun) cmd.add("kvm_run");
        if (windowSeconds > 0) cmd.add("windows:" + minWindows + ",10000000,1000,5," + windowSeconds);
        cmd.add("faults:" + faultBlocks + "," + faultSeconds + ",5000,swap");
        // Debian's Linux as a guest of PCM's KVM backend (issue 14): 120-170 s here, more than the suite's 20 minutes
        // leave, so on request (-Dpcm.svm.linux=true, with -Dpcm.svm.timeout=700); bin/svm-host run linux is the command
        boolean linux = Boolean.getBoolean("pcm.svm.linux");
        if (linux) cmd.add("linux:plain,300");
        Tier t = boot("pcm", cmd, vmSeconds);
        String log = t.log(), all = t.all();
        int status = t.status();
        String outOfTime = starvedScenario(log, faultSeconds);
        if (outOfTime != null) Assumptions.abort(outOfTime);
        assertTrue(log.contains("SVM-HOST-READY") && log.contains("kvm=present"), "no /dev/kvm in the emulated host\n" + all);
        if (kvmRun) assertTrue(resultLine(log, "kvm_run").startsWith("SVM-RESULT kvm_run rc=0 wall=")
            && resultLine(log, "kvm_run").contains(GUEST_DONE), "kvm_run\n" + all);
        assertTrue(log.contains("on hardware virtualization (kvm_amd: AMD SVM)"), "not on kvm_amd\n" + all);

        // (b) KVM-recorded windows, every one MATCHed by both verifiers (the faults run's soft and kvm verdicts; and the
        // windows scenario's, when it ran: pcm:run exits 0 only then)
        String tag = windowSeconds > 0 ? "windows" : "faults";
        java.util.Set<String> corrupted = emulationCorrupted(log);
        if (!corrupted.isEmpty()) {
            System.out.println("SvmHostIT: windows whose recorded guest state the emulation corrupted (not counted): " + corrupted);
        }
        Map<String, List<String>> byVerifier = verdicts(log, tag, corrupted);
        List<String> soft = byVerifier.getOrDefault("soft", List.of()), kvm = byVerifier.getOrDefault("kvm", List.of());
        assertTrue(soft.stream().allMatch("MATCH"::equals) && kvm.stream().allMatch("MATCH"::equals),
            "a window without MATCH: soft " + soft + " kvm " + kvm + "\n" + divergences(log) + "\n" + all);
        // a run the scenario's budget stopped (pcm:run --timeout) reports no verdicts for the windows still pending then
        // (RunCommand's timeout path stops at once): so not equal counts, but each verifier's count above the floor
        assertTrue(Math.min(soft.size(), kvm.size()) >= minWindows,
            soft.size() + " soft and " + kvm.size() + " kvm verdicts, want at least " + minWindows + " each\n" + all);
        System.out.println("SvmHostIT: " + kvm.size() + " KVM-recorded windows MATCH on soft and kvm (" + tag + "): "
            + resultLine(log, tag));
        if (windowSeconds > 0) assertTrue(resultLine(log, "windows").startsWith("SVM-RESULT windows rc=0 "), "windows\n" + all);

        // (c) injected faults: true windows MATCH, every corrupted one DIVERGED at exactly the fault's instruction
        Map<String, Integer> exact = new LinkedHashMap<>();
        List<String> lines = log.lines().filter(l -> l.startsWith("[faults] ")).toList();
        for (int i = 0; i < lines.size(); i++) {
            Matcher v = VERDICT.matcher(lines.get(i));
            if (!v.matches()) continue;
            String rcp = v.group(4), outcome = v.group(3);
            String detail = i + 1 < lines.size() ? lines.get(i + 1) : "";
            if (rcp.equals("-")) continue; // no verifier had finished it when the run's --verify-timeout ran out: not counted
            if (corrupted.contains(v.group(2))) continue;
            if (rcp.equals("soft") || rcp.equals("kvm")) {
                assertEquals("MATCH", outcome, lines.get(i) + "\n" + all);
                continue;
            }
            if (outcome.equals("INCONCLUSIVE")) {
                assertTrue(detail.contains("to corrupt"), "only a window without the fault's target: " + detail);
                continue;
            }
            assertEquals("DIVERGED", outcome, lines.get(i) + "\n" + all);
            Matcher where = GuestBootIT.WHERE.matcher(detail), injected = GuestBootIT.INJECTED.matcher(detail);
            assertTrue(where.find() && injected.find(), detail + "\n" + all);
            assertEquals(injected.group(1), where.group(1), "at the fault's position: " + detail);
            exact.merge(rcp, 1, Integer::sum);
        }
        for (String rcp : List.of("input-soft", "input-kvm", "register-soft", "register-kvm", "memory-soft", "memory-kvm")) {
            assertTrue(exact.getOrDefault(rcp, 0) >= 1, rcp + " found no fault: " + exact + "\n" + all);
        }

        // (d) the hot swap of verifiers while the guest runs: a newer pcm.tracers pushed through the UpdateService once
        // the first window was recorded; the guest ran on (the faults run's status above) and windows begun after the
        // swap were verified by all eight verifiers, the swapped-in ones included
        Matcher swap = Pattern.compile("SVM-SWAP status=(\\S+) at=(\\d+) (.*)").matcher(log);
        assertTrue(swap.find(), "no hot swap\n" + all);
        assertEquals("ok", swap.group(1), swap.group() + "\n" + all);
        assertTrue(swap.group(3).contains("zzswap"), "the newer version is active: " + swap.group());
        long swappedAt = Long.parseLong(swap.group(2));
        Map<String, java.util.Set<String>> rcpsByWindow = new LinkedHashMap<>();
        for (String l : lines) {
            Matcher v = VERDICT.matcher(l);
            if (v.matches()) rcpsByWindow.computeIfAbsent(v.group(2), k -> new java.util.TreeSet<>()).add(v.group(4));
        }
        long afterSwap = rcpsByWindow.entrySet().stream()
            .filter(e -> Long.parseLong(e.getKey().substring(1)) / 1000 >= swappedAt && e.getValue().size() == 8).count();
        assertTrue(afterSwap >= 1, "no window begun after the swap (at " + swappedAt + ") verified by all eight: " + rcpsByWindow
            + "\n" + all);
        if (linux) {
            String l = resultLine(log, "linux");
            assertTrue(l.startsWith("SVM-RESULT linux rc=0 ") && l.contains("PCM-CHECK-DONE") && l.contains("ACPI power-off (S5)"),
                "Linux on KVM: " + l + "\n" + all);
            for (String m : List.of("PCM-CHECK-DISK PCM-DISK-OK", "PCM-CHECK-HWRNG 4096", "PCM-CHECK-MATH 42 2.500")) {
                assertTrue(log.contains("[linux] " + m), "Linux on KVM lacks '" + m + "'\n" + all);
            }
        }
        System.out.println("SvmHostIT: hot swap of pcm.tracers at " + swappedAt + ", " + afterSwap + " windows after it verified by all eight");
        assertEquals(0, status, all);
    }

    /**
     * Windows in which the emulated host's SVM handed the guest a state that is not the guest's: the window retired no
     * instruction (it closed at its timeout) and the recorded RIP lies in the upper half, where the embedded guest never
     * runs (identity-mapped below 4 GiB; docs/guest-contract.md), with RSP moved. Seen once in ~12 runs of stop 23:
     * RIP 0xffffffffc073d13c (the emulated host's kvm_amd) and a kernel-stack RSP - the L1 hypervisor's own state in
     * the L2 guest's registers, after which the guest never ran again. soft and kvm both say DIVERGED at position 0,
     * truly (the CPU changed registers without an instruction), but the CPU at fault is QEMU TCG's, not one PCM runs in
     * production; such a window is printed and not counted, everything else is still asserted.
     */
    static java.util.Set<String> emulationCorrupted(String log) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        List<String> lines = log.lines().filter(l -> l.startsWith("[")).toList();
        Pattern head = Pattern.compile("\\[\\w+\\] window (\\S+) DIVERGED rcp=(soft|kvm) insns=0 .*");
        Pattern where = Pattern.compile("\\[\\w+\\] +first divergence at instruction 0, rip=0xffff[89a-f][0-9a-f]{11};.*");
        for (int i = 0; i + 1 < lines.size(); i++) {
            Matcher h = head.matcher(lines.get(i));
            if (h.matches() && where.matcher(lines.get(i + 1)).matches()) out.add(h.group(1));
        }
        return out;
    }

    /** Verdict outcomes of one scenario's lines, by verifier, leaving out the windows named. */
    static Map<String, List<String>> verdicts(String log, String tag, java.util.Set<String> leaveOut) {
        Map<String, List<String>> m = new LinkedHashMap<>();
        log.lines().map(VERDICT::matcher).filter(Matcher::matches).filter(v -> v.group(1).equals(tag))
            .filter(v -> !leaveOut.contains(v.group(2)))
            .forEach(v -> m.computeIfAbsent(v.group(4), k -> new ArrayList<>()).add(v.group(3)));
        return m;
    }

    private static int run(List<String> cmd, Path dir, Path out, long seconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
            .redirectOutput(out.toFile()).redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        if (!p.waitFor(seconds, TimeUnit.SECONDS)) { // the script bounds QEMU at 900 s; this bounds the build around it
            p.destroyForcibly();
            throw new AssertionError(cmd + " did not end within " + seconds + " s: " + Files.readString(out));
        }
        return p.exitValue();
    }

    private static String skipReason(String text) {
        Matcher m = Pattern.compile("SKIP: (.*)").matcher(text);
        return m.find() ? m.group(1) : text;
    }

    private static String tail(String s, int n) {
        return s.length() <= n ? s : "..." + s.substring(s.length() - n);
    }

    /**
     * The windows scenario's non-MATCH verdicts with the lines that explain them, and its log excerpts: first in a
     * failure message, because CI shows only the start of a long one (stop 20's CI said only "DIVERGED").
     */
    private static String divergences(String log) {
        List<String> lines = log.lines().toList();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            boolean verdict = (l.startsWith("[windows] window ") || l.matches("\\[faults\\] window \\S+ \\w+ rcp=(soft|kvm) .*"))
                && (l.contains(" DIVERGED ") || l.contains(" INCONCLUSIVE "));
            if (verdict) {
                for (int j = i; j < Math.min(lines.size(), i + 4); j++) b.append(lines.get(j)).append('\n');
            } else if (l.startsWith("SVM-LOG ") || l.startsWith("[log ")) {
                b.append(l).append('\n');
            }
        }
        return tail(b.toString(), 6000);
    }

    /**
     * The reason to skip when the VM's deadline killed the faults scenario (status 124/137/143) before it had the budget
     * it asks for, because the scenarios before it took longer than the VM's time allows on this host: a loaded host
     * (stop 25: two helpers building beside the suite made kvmtests 132 s and kvm_run 141 s instead of 55 and 60, and
     * left faults 104 s of its 220 before PCM was even resident). No verdict either way. A faults run that had its whole
     * budget and still produced nothing is not excused: that fails below. Package-private for SvmHostTimeTest.
     */
    static String starvedScenario(String log, int faultSeconds) {
        Matcher end = Pattern.compile("SVM-SCENARIO-END faults rc=(\\d+) seconds=([\\d.]+)").matcher(log);
        if (!end.find()) return null;
        int rc = Integer.parseInt(end.group(1));
        double seconds = Double.parseDouble(end.group(2));
        if ((rc != 124 && rc != 137 && rc != 143) || seconds >= faultSeconds) return null;
        Matcher before = Pattern.compile("SVM-SCENARIO-END (\\w+) rc=\\d+ seconds=([\\d.]+)").matcher(log);
        StringBuilder took = new StringBuilder();
        while (before.find()) {
            if (!before.group(1).equals("faults")) took.append(before.group(1)).append(' ').append(before.group(2)).append(" s, ");
        }
        return "the emulated SVM host ran out of time before the faults scenario had its budget: " + took
            + "faults had " + end.group(2) + " of its " + faultSeconds + " s when the VM's deadline stopped it (rc " + rc
            + "; an unloaded 2-core host needs ~55 s for kvmtests and ~60 s for kvm_run) — a slow or loaded host, not a PCM"
            + " verdict; raise -Dpcm.svm.timeout";
    }

    private static String resultLine(String log, String scenario) {
        return log.lines().filter(l -> l.startsWith("SVM-RESULT " + scenario + " ")).findFirst().orElse("");
    }
}
