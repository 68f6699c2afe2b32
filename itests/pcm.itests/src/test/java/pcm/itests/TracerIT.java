package pcm.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
 * Issue 15 item 3: tracers come and go while a soft guest runs. The memory and I/O tracers (pcm.tracers, off until
 * configured) are switched on by dropping their configurations into {@code conf/} while windows record, and off by
 * deleting them: windows before carry no trace, windows while they are on carry {@code trace-mtr.bin} and
 * {@code trace-itr.bin} and are verified MATCH with every memory access compared with the trace, windows after are
 * recorded as before. Nothing is lost on the way.
 */
class TracerIT {

    @Test
    void tracersArmedWhileConfiguredAndWindowsRecordedBeforeAndAfter() throws Exception {
        Path data = Path.of(System.getProperty("pcm.itest.workdir", "target/itest"), "tracer-data").toAbsolutePath();
        deleteTree(data);
        Files.createDirectories(data.resolve("deploy"));
        Path conf = Files.createDirectories(data.resolve("conf"));
        Files.writeString(conf.resolve("pcm.verification.config"), "verifiers=[\"soft\"]\n");
        Path windows = data.resolve("windows");
        // a workload that outlives the three waits below on any CPU (the run ends at its --timeout, status 5, accepted):
        // 100,000 blocks (1.2 G instructions) did on the interpreter, but the block compiler ran them in 13 s, before the
        // traced windows (issue 18)
        List<String> cmd = LauncherIT.command(data, "pcm:run --backend soft --blocks 10000000 --window 2000 --period 20 --timeout 60");
        Process p = new ProcessBuilder(cmd).redirectOutput(data.resolve("run.out").toFile()).redirectError(data.resolve("run.err").toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        try {
            await(() -> committed(windows) >= 3, p, 60, "3 windows before the tracers");
            long beforeOn = committed(windows);
            Path mtrCfg = conf.resolve("pcm.tracer.memory.cfg"), itrCfg = conf.resolve("pcm.tracer.io.cfg");
            Files.writeString(mtrCfg, "bufferBytes=10400000\n");
            Files.writeString(itrCfg, "bufferBytes=10400000\n");
            await(() -> traceFiles(windows, "_trace-mtr.bin") >= 3 && traceFiles(windows, "_trace-itr.bin") >= 3, p, 60,
                    "3 windows with traces");
            Files.delete(mtrCfg);
            Files.delete(itrCfg);
            long afterOff = committed(windows);
            await(() -> committed(windows) >= afterOff + 4, p, 60, "4 windows after the tracers left");
            assertTrue(beforeOn >= 3);
        } finally {
            if (!p.waitFor(200, TimeUnit.SECONDS)) p.destroyForcibly();
        }
        String out = Files.readString(data.resolve("run.out")), err = Files.readString(data.resolve("run.err"));
        assertTrue(p.exitValue() == 0 || p.exitValue() == 5, "exit " + p.exitValue() + "\n" + out + "\n" + err);

        Map<String, List<String>> files = filesByWindow(windows);
        List<String> ids = new ArrayList<>(files.keySet()); // window ids are w<epoch-millis>: sorted = recording order
        int traced = 0, firstTraced = -1, lastTraced = -1;
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < ids.size(); i++) {
            List<String> names = files.get(ids.get(i));
            if (!names.contains("cpu.bin")) continue; // the window the run's end cut off
            boolean mtr = names.contains("trace-mtr.bin"); // the two tracers appear (and leave) a window apart at most
            if (mtr) {
                traced++;
                if (firstTraced < 0) firstTraced = i;
                lastTraced = i;
            }
            List<String[]> v = verdictLines(data.resolve("verdicts").resolve(ids.get(i) + ".verdicts"));
            if (v.stream().noneMatch(l -> l[0].equals("MATCH"))) problems.add(ids.get(i) + ": no MATCH " + v.stream().map(l -> String.join(" ", l)).toList());
            if (mtr && v.stream().noneMatch(l -> l[7].contains("memory accesses equal to the trace"))) {
                problems.add(ids.get(i) + ": traced, but the verifier did not compare the trace: " + v.stream().map(l -> l[7]).toList());
            }
        }
        String figures = ids.size() + " windows, " + traced + " traced (" + firstTraced + ".." + lastTraced + ")";
        System.out.println("TracerIT: " + figures);
        assertTrue(problems.isEmpty(), problems + "\n" + figures + "\n" + out);
        assertTrue(traced >= 3, figures);
        assertTrue(firstTraced >= 3, "the first windows were recorded before any tracer: " + figures);
        assertTrue(lastTraced < ids.size() - 2, "windows were recorded after the tracers left, without traces: " + figures);
        for (int i = firstTraced; i <= lastTraced; i++) {
            List<String> names = files.get(ids.get(i));
            assertFalse(names.contains("cpu.bin") && !names.contains("trace-mtr.bin"), "a window while the tracer was there"
                    + " without its trace: " + ids.get(i) + " " + figures);
        }
        assertEquals(0, files.values().stream().flatMap(List::stream).filter(n -> n.endsWith(".part")).count(), files.toString());
    }

    interface Condition {
        boolean holds() throws IOException;
    }

    private static void await(Condition c, Process p, int seconds, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!c.holds()) {
            if (!p.isAlive()) throw new AssertionError("the run ended before " + what);
            if (System.nanoTime() > deadline) throw new AssertionError("no " + what + " within " + seconds + " s");
            Thread.sleep(20);
        }
    }

    private static long committed(Path windows) throws IOException {
        return traceFiles(windows, "_events.pcmlog");
    }

    private static long traceFiles(Path windows, String suffix) throws IOException {
        if (!Files.isDirectory(windows)) return 0;
        try (Stream<Path> s = Files.list(windows)) {
            return s.filter(f -> f.getFileName().toString().endsWith(suffix)).count();
        }
    }

    private static Map<String, List<String>> filesByWindow(Path windows) throws IOException {
        Map<String, List<String>> out = new TreeMap<>();
        try (Stream<Path> s = Files.list(windows)) {
            for (Path f : s.toList()) {
                String[] parts = f.getFileName().toString().split("_", 3);
                if (parts.length == 3) out.computeIfAbsent(parts[1], k -> new ArrayList<>()).add(parts[2]);
            }
        }
        return out;
    }

    private static List<String[]> verdictLines(Path f) throws IOException {
        if (!Files.exists(f)) return List.of();
        String text = Files.readString(f, StandardCharsets.UTF_8);
        List<String[]> out = new ArrayList<>();
        for (String line : text.split("\n")) {
            String[] parts = line.split("\t", -1);
            if (parts.length >= 8) out.add(parts);
        }
        return out;
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).toList()) Files.delete(f);
        }
    }
}
