package pcm.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The exported runtime (runconfigs/target/pcm.jar) started the way bin/pcm starts it, in headless
 * exec mode: the command's output and the process exit status.
 */
class LauncherIT {

    static Path jar;
    static Path data;

    @BeforeAll
    static void paths() throws IOException {
        jar = jar();
        assertTrue(Files.isRegularFile(jar), "runtime jar missing: " + jar + " (build runconfigs first)");
        data = Path.of(System.getProperty("pcm.itest.workdir", "target/itest"), "launcher-data").toAbsolutePath();
        Files.createDirectories(data.resolve("deploy"));
        Files.createDirectories(data.resolve("conf"));
    }

    record Run(int status, String out, String err) {}

    /** How long {@link #exec(Path, String)} waits for the process before it kills it. */
    static final long EXEC_WAIT_SECONDS = 120;

    static Run exec(String command) throws Exception {
        return exec(data, command);
    }

    static Run exec(Path data, String command) throws Exception {
        return exec(data, command, EXEC_WAIT_SECONDS);
    }

    /** The exported runtime jar (runconfigs, or -Dpcm.runtime.jar). */
    static Path jar() {
        return Path.of(System.getProperty("pcm.runtime.jar", "../../runconfigs/target/pcm.jar"));
    }

    /** The runtime jar's command line for a headless {@code command} on {@code data} (more JVM options win). */
    static List<String> command(Path data, String command, String... jvmOptions) {
        List<String> cmd = new ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
            "-Dpcm.data=" + data, "-Dorg.osgi.framework.storage=" + data.resolve("felix-cache"),
            "-Dfelix.fileinstall.dir=" + data.resolve("deploy") + "," + data.resolve("conf"),
            "-Dgosh.args=--nointeractive", "-Dpcm.exec=" + command, "-Dpcm.exec.timeout=60",
            "-Dorg.apache.felix.http.enable=false")); // as bin/pcm: no HTTP server outside the resident mode
        cmd.addAll(List.of(jvmOptions));
        cmd.addAll(List.of("-jar", jar().toString()));
        return cmd;
    }

    /**
     * @param waitSeconds how long to wait for the process before killing it (a command with a timeout: that plus a margin)
     * @param jvmOptions  more JVM options, after the defaults (a later -D wins)
     */
    static Run exec(Path data, String command, long waitSeconds, String... jvmOptions) throws Exception {
        List<String> cmd = command(data, command, jvmOptions);
        Path out = Files.createTempFile(data, "out", ".txt");
        Path err = Files.createTempFile(data, "err", ".txt");
        Process p = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        if (!p.waitFor(waitSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("pcm exec '" + command + "' did not end within " + waitSeconds + " s");
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void statusPrintsTheKernelStateAndExitsZero() throws Exception {
        Run r = exec("pcm:status");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("PCM kernel status"), r.out());
        assertTrue(r.out().contains("pcm.core"), r.out());
        assertTrue(r.out().contains("pcm.ui"), r.out());
        assertTrue(r.out().contains("backends (Hypervisor services):"), r.out());
    }

    @Test
    void servicesListsTheDispatcherAndItsBundle() throws Exception {
        Run r = exec("pcm:services");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("ExitDispatcher (1)"), r.out());
        assertTrue(r.out().contains("pcm.core ["), r.out());
    }

    /** What is in deploy/ and conf/ at start is in place before the command runs. */
    @Test
    void dropInsFromDeployAndConfAreInPlace() throws Exception {
        Path dropData = data.resolveSibling("launcher-dropins");
        Files.createDirectories(dropData.resolve("deploy"));
        Files.createDirectories(dropData.resolve("conf"));
        Files.copy(Path.of(System.getProperty("b.handler")), dropData.resolve("deploy/pcm.itests.handler.jar"),
            java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        // configuration for the DS component in that bundle (PID = component name)
        Files.writeString(dropData.resolve("conf/pcm.itests.handler.FixedValueHandler.cfg"), "marker=from-conf\n");
        Run r = exec(dropData, "pcm:services ExitHandler");
        assertEquals(0, r.status(), r.err());
        String line = r.out().lines().filter(l -> l.contains("pcm.itests.handler [")).findFirst().orElse("");
        assertTrue(line.contains(" 100 "), "ranked 100: " + r.out());
        assertTrue(line.contains("marker=from-conf"), "configured from conf/: " + r.out());
    }

    /** Exit statuses: README "Exit statuses"; ExitStatusIT has the rest of the table. */
    @Test
    void unknownCommandIsAnOperatorErrorWithAClearMessage() throws Exception {
        Run r = exec("pcm:nonexistent");
        assertEquals(2, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("pcm: command not found: pcm:nonexistent"), r.err());
    }

    @Test
    void unknownActionIsAnOperatorError() throws Exception {
        Run r = exec("pcm:vm bogus");
        assertEquals(2, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("unknown action 'bogus'"), r.err());
    }
}
