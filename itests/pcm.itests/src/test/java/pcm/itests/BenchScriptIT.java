package pcm.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

/**
 * Issue 11 item 10: {@code bin/bench soft} failed from the repository root (and from anywhere else) with
 * {@code NoSuchFileException: ../pcm.guest/...}: the benchmark's fixture finds the guest image relative to its
 * module's directory. Runs the smallest soft benchmark (1 block, no warm-up, one round, no KVM) from a directory
 * outside the repository.
 */
class BenchScriptIT {

    @Test
    void softBenchRunsFromAnyDirectory() throws Exception {
        Path bench = Path.of(System.getProperty("pcm.repo.root", "../..")).resolve("bin/bench").toAbsolutePath().normalize();
        Path cwd = Files.createDirectories(Path.of(System.getProperty("pcm.itest.workdir", "target/itest"), "bench-cwd")).toAbsolutePath();
        Path log = cwd.resolve("bench.txt");
        ProcessBuilder pb = new ProcessBuilder(List.of(bench.toString(), "soft", "1", "0", "1", "false")).directory(cwd.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        if (!p.waitFor(600, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("bin/bench soft did not end within 600 s: " + Files.readString(log));
        }
        String out = Files.readString(log);
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("summary: best"), out);
    }
}
