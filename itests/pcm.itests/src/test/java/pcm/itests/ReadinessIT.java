package pcm.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

import org.junit.jupiter.api.Test;

/**
 * Issue 12 item 4, "readiness, not timing": a headless command runs once the services it needs are up, however
 * slowly they come. The fixture bundle pcm.itests.late (dropped into deploy/) is a backend that comes up late the
 * way KVM did on the emulated SVM host: a component whose activation takes seconds, then a configuration that SCR
 * applies asynchronously, then the backend's registration, with no service event for seconds in between. Before
 * the fix the runner waited for 300 ms without a service event and pcm:status listed no 'late' backend (on the SVM
 * host: "backend 'kvm' is not installed (have: soft)").
 */
class ReadinessIT {

    static Path dataWithLateBackend(String name) throws Exception {
        LauncherIT.paths();
        Path data = LauncherIT.data.resolveSibling(name);
        Files.createDirectories(data.resolve("deploy"));
        Files.createDirectories(data.resolve("conf"));
        Files.copy(Path.of(System.getProperty("b.late")), data.resolve("deploy/pcm.itests.late.jar"), StandardCopyOption.REPLACE_EXISTING);
        return data;
    }

    @Test
    void aBackendThatComesUpLateIsThereWhenTheCommandRuns() throws Exception {
        Path data = dataWithLateBackend("readiness-late");
        LauncherIT.Run r = LauncherIT.exec(data, "pcm:status", LauncherIT.EXEC_WAIT_SECONDS, "-Dpcm.itests.late.millis=3000");
        assertEquals(0, r.status(), r.out() + r.err());
        String backends = r.out().substring(r.out().indexOf("backends (Hypervisor services):"));
        assertTrue(backends.contains("late test backend"), "the late backend is listed: " + r.out());
        assertTrue(backends.contains("soft"), r.out());
    }

    /** Not ready within -Dpcm.exec.timeout: FAILED (6), naming what is not up, without running the command. */
    @Test
    void notReadyInTimeIsFailedAndSaysWhatIsMissing() throws Exception {
        Path data = dataWithLateBackend("readiness-never");
        // 15 s: far past the 5 s timeout, yet the JVM's exit (its shutdown hook stops the framework, which waits for the
        // activation in progress) does not wait out a 10-minute activation as it did (40 s per run, most of it waiting)
        LauncherIT.Run r = LauncherIT.exec(data, "pcm:status", LauncherIT.EXEC_WAIT_SECONDS,
            "-Dpcm.itests.late.millis=15000", "-Dpcm.exec.timeout=5");
        assertEquals(6, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("the runtime was not ready within 5 s"), r.err());
        assertTrue(r.err().contains("component pcm.itests.late.SlowProbe (bundle pcm.itests.late): activating"), r.err());
        assertFalse(r.out().contains("PCM kernel status"), "the command did not run: " + r.out());
    }
}
