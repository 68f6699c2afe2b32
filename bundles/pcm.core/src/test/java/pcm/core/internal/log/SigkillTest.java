package pcm.core.internal.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The done-criterion of the log: SIGKILL in the middle of recording leaves every earlier window
 * readable and the torn one reported as torn, never taken as valid. A child JVM writes windows in
 * a loop; we kill it with {@link Process#destroyForcibly()} (SIGKILL) at varying points.
 */
class SigkillTest {

    @TempDir
    Path tmp;

    @Test
    void sigkillMidWriteLeavesEarlierWindowsValidAndTheTornOneTorn() throws Exception {
        int tornSeen = 0;
        int rounds = 0;
        for (int round = 0; round < 8 && (round < 3 || tornSeen == 0); round++, rounds++) {
            tornSeen += killOnce(tmp.resolve("round" + round), round);
        }
        assertTrue(tornSeen > 0, "in " + rounds + " rounds no kill landed inside a window");
    }

    /** Returns the number of torn files found (0 or 1). */
    private int killOnce(Path dir, int round) throws Exception {
        Files.createDirectories(dir);
        String java = ProcessHandle.current().info().command().orElse(
                Path.of(System.getProperty("java.home"), "bin", "java").toString());
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                LogTortureChild.class.getName(), dir.toString(), Integer.toString(round + 1))
                .redirectError(ProcessBuilder.Redirect.INHERIT).start();
        List<Path> closed = new CopyOnWriteArrayList<>();
        int closedBeforeKill = 3 + round % 3;
        CountDownLatch enough = new CountDownLatch(1);
        Thread reader = Thread.ofPlatform().daemon().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    if (line.startsWith("closed ")) {
                        closed.add(Path.of(line.substring(7)));
                        if (closed.size() >= closedBeforeKill) enough.countDown();
                    }
                }
            } catch (java.io.IOException ignored) {
                // killed
            }
        });
        try {
            assertTrue(enough.await(60, TimeUnit.SECONDS), "child did not close " + closedBeforeKill + " windows");
            Thread.sleep(round * 3L % 17); // vary where in the next window the kill lands
            p.destroyForcibly();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
        }
        reader.join(10_000);
        assertEquals(137, p.exitValue(), "killed by SIGKILL");
        List<Path> announced = new ArrayList<>(closed);

        List<LogCheck.Result> all = LogCheck.checkDirectory(dir);
        int torn = 0;
        for (LogCheck.Result r : all) {
            if (LogFormat.isCommitted(r.file())) {
                assertEquals(LogCheck.Status.VALID, r.status(), "a committed window must be valid: " + r.summary());
            } else {
                torn++;
                assertEquals(LogCheck.Status.TORN, r.status(), "an uncommitted window is torn, never valid: " + r.summary());
                assertTrue(r.file().toString().endsWith(LogFormat.PART), r.file().toString());
                assertFalse(r.valid());
            }
        }
        assertTrue(torn <= 1, "a crash leaves at most one .part file, found " + torn);
        for (Path c : announced) {
            assertEquals(LogCheck.Status.VALID, LogCheck.check(c).status(), "every window closed before the kill reads back valid: " + c);
            LogReader.LogContents contents = LogReader.readAll(c);
            assertTrue(contents.events().size() > 2000);
        }
        assertTrue(all.size() >= announced.size());
        System.out.printf("round %d: %d windows closed and announced, %d files, %d torn%s%n", round, announced.size(), all.size(),
                torn, torn == 1 ? " (" + all.getLast().problem() + ")" : "");
        return torn;
    }
}
