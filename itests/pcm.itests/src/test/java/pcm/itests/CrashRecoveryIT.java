package pcm.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * Issue 11 ("Done when", items 3 and 9): a recording PCM is killed with SIGKILL a few times in one data directory,
 * at different moments (while windows are written, snapshots stored, verdicts appended), then started once
 * cleanly. Afterwards every complete window has exactly one final verdict of each configured verifier (MATCH: the
 * soft CPU recorded and replays them), and no window that is not complete (torn or given-up log, missing
 * snapshots) has a verdict that takes it as valid.
 */
class CrashRecoveryIT {

    /**
     * Four kills: two right after a window's commit, before its verdict (even rounds), two at random moments up to 300 ms
     * later (odd rounds). Six (until stop 27) repeated these two kinds of moment and cost ~40 s more of the suite.
     */
    static final int ROUNDS = 4;
    static final List<String> VERIFIERS = List.of("soft");

    @Test
    void afterSigkillsAndOneCleanStartEveryCompleteWindowHasExactlyOneFinalVerdictPerVerifier() throws Exception {
        Path data = Path.of(System.getProperty("pcm.itest.workdir", "target/itest"), "crash-data").toAbsolutePath();
        deleteTree(data);
        Files.createDirectories(data.resolve("deploy"));
        Path conf = Files.createDirectories(data.resolve("conf"));
        Files.writeString(conf.resolve("pcm.verification.config"), "verifiers=[\"" + String.join("\",\"", VERIFIERS) + "\"]\n");
        Path windows = data.resolve("windows");
        StringBuilder log = new StringBuilder();
        java.util.Random random = new java.util.Random(11); // the same kill moments in every run of the test
        for (int round = 0; round < ROUNDS; round++) {
            long before = committed(windows);
            // a workload no CPU finishes before its kill: 100,000 blocks (1.2 G instructions) outlived the rounds on the
            // interpreter, but the block compiler ran them in 9 s, before round 3's eighth window (issue 18); the guest is
            // killed anyway, so a longer workload costs nothing
            Process p = start(data, "pcm:run --backend soft --blocks 10000000 --window 2000 --period 10 --timeout 600",
                    data.resolve("round" + round));
            // kill once a few more windows exist, a little later each round, so the kills land in different phases
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            while (committed(windows) < before + 2 + 2 * round && p.isAlive() && System.nanoTime() < deadline) Thread.sleep(10);
            int delay = round % 2 == 0 ? 0 : random.nextInt(300); // even rounds: right after a commit, before its verdict
            if (delay > 0) Thread.sleep(delay);
            assertTrue(p.isAlive(), "round " + round + ": the child ended before it was killed: " + Files.readString(data.resolve("round" + round + ".err")));
            p.destroyForcibly(); // SIGKILL
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            log.append("round ").append(round).append(": killed with ").append(committed(windows)).append(" committed logs, ")
                    .append(unverified(data)).append(" complete window(s) without a final verdict\n");
        }
        Map<String, List<String>> afterKills = filesByWindow(windows); // before the clean start
        long tornBefore = afterKills.values().stream().flatMap(List::stream).filter(CrashRecoveryIT::torn).count();
        long unverifiedBefore = unverified(data);

        Process clean = start(data, "pcm:run --backend soft --blocks 1 --window 2000 --period 10 --timeout 300", data.resolve("clean"));
        assertTrue(clean.waitFor(300, TimeUnit.SECONDS), "the clean start did not end");
        String out = Files.readString(data.resolve("clean.out"));
        String err = Files.readString(data.resolve("clean.err"));
        assertEquals(0, clean.exitValue(), out + "\n--- stderr ---\n" + err);

        Map<String, List<String>> files = filesByWindow(windows);
        int complete = 0, incomplete = 0, verdicts = 0;
        List<String> problems = new ArrayList<>();
        for (Map.Entry<String, List<String>> w : files.entrySet()) {
            List<String[]> lines = verdictLines(data.resolve("verdicts").resolve(w.getKey() + ".verdicts"));
            verdicts += lines.size();
            if (isComplete(w.getValue())) {
                complete++;
                for (String rcp : VERIFIERS) {
                    List<String[]> fin = lines.stream().filter(l -> l[1].equals(rcp) && (l.length == 8 || l[8].equals("final"))).toList();
                    if (fin.size() != 1) problems.add(w.getKey() + ": " + fin.size() + " final verdicts of " + rcp);
                    else if (!fin.getFirst()[0].equals("MATCH")) problems.add(w.getKey() + ": " + String.join(" ", fin.getFirst()));
                }
            } else {
                incomplete++;
                for (String[] l : lines) if (!l[0].equals("INCONCLUSIVE")) problems.add(w.getKey() + " is not complete " + w.getValue()
                        + " but has verdict " + String.join(" ", l));
            }
        }
        long tornAfter = files.values().stream().flatMap(List::stream).filter(CrashRecoveryIT::torn).count();
        String figures = log + "windows: " + complete + " complete, " + incomplete + " not complete; verdict lines: " + verdicts
                + "; complete windows without a verdict after the kills: " + unverifiedBefore
                + "; torn/temporary files after the kills: " + tornBefore + ", after the clean start: " + tornAfter;
        Files.writeString(data.resolveSibling("crash-recovery-figures.txt"), figures + "\n");
        System.out.println(figures);
        assertTrue(problems.isEmpty(), problems + "\n" + figures + "\n" + out);
        assertTrue(complete >= ROUNDS * 2, figures);
        assertEquals(0, files.values().stream().flatMap(List::stream).filter(n -> n.endsWith(".part")).count(),
                "crash leftovers are swept or marked at start: " + files);
    }

    /** Complete windows without a final verdict of some configured verifier. */
    private static long unverified(Path data) throws IOException {
        long n = 0;
        for (Map.Entry<String, List<String>> w : filesByWindow(data.resolve("windows")).entrySet()) {
            if (!isComplete(w.getValue())) continue;
            List<String[]> lines = verdictLines(data.resolve("verdicts").resolve(w.getKey() + ".verdicts"));
            for (String rcp : VERIFIERS) {
                if (lines.stream().noneMatch(l -> l[1].equals(rcp) && (l.length == 8 || l[8].equals("final")))) {
                    n++;
                    break;
                }
            }
        }
        return n;
    }

    private static Process start(Path data, String command, Path outPrefix) throws IOException {
        List<String> cmd = LauncherIT.command(data, command);
        return new ProcessBuilder(cmd).redirectOutput(Path.of(outPrefix + ".out").toFile())
                .redirectError(Path.of(outPrefix + ".err").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
    }

    /** Committed event logs in the windows directory. */
    private static long committed(Path windows) throws IOException {
        if (!Files.isDirectory(windows)) return 0;
        try (Stream<Path> s = Files.list(windows)) {
            return s.filter(p -> p.getFileName().toString().endsWith("_events.pcmlog")).count();
        }
    }

    private static Map<String, List<String>> filesByWindow(Path windows) throws IOException {
        Map<String, List<String>> out = new TreeMap<>();
        if (!Files.isDirectory(windows)) return out;
        try (Stream<Path> s = Files.list(windows)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                String[] parts = n.split("_", 3);
                if (parts.length == 3) out.computeIfAbsent(parts[1], k -> new ArrayList<>()).add(parts[2]);
            }
        }
        return out;
    }

    private static boolean isComplete(List<String> names) {
        return names.containsAll(List.of("events.pcmlog", "cpu.bin", "mem-initial.bin", "mem-final.bin"));
    }

    private static boolean torn(String name) {
        return name.endsWith(".part") || name.endsWith(".failed");
    }

    /** Complete lines of a verdict file, split at tabs (docs/verification.md). */
    private static List<String[]> verdictLines(Path f) throws IOException {
        if (!Files.exists(f)) return List.of();
        String text = Files.readString(f, StandardCharsets.UTF_8);
        List<String[]> out = new ArrayList<>();
        int start = 0;
        for (int nl; (nl = text.indexOf('\n', start)) >= 0; start = nl + 1) {
            String[] p = text.substring(start, nl).split("\t", -1);
            if (p.length >= 8) out.add(p);
        }
        return out;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(p);
        }
    }
}
