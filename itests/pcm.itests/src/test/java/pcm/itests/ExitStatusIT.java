package pcm.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 item 6: the launcher ({@code bin/pcm} and the runnable jar) ends with the README's exit statuses:
 * a blank {@code exec} line used to leave the runtime running for ever, a read-only data directory made every
 * command exit 127 with a Felix stack trace on stdout (the framework cache could not be created), an unknown command
 * was 127 and an option out of range was ignored.
 */
class ExitStatusIT {

    static final int USAGE = 2;

    static Path data;
    static Path pcm;

    @BeforeAll
    static void paths() throws IOException {
        LauncherIT.paths();
        data = LauncherIT.data.resolveSibling("exit-status-data");
        Files.createDirectories(data);
        pcm = Path.of(System.getProperty("pcm.repo.root", "../..")).resolve("bin/pcm").toAbsolutePath().normalize();
        assertTrue(Files.isExecutable(pcm), "bin/pcm: " + pcm);
    }

    /** Runs {@code prefix... bin/pcm args...} with this JDK and the built runtime jar. */
    static LauncherIT.Run pcm(List<String> prefix, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.add(pcm.toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("PCM_JAR", LauncherIT.jar.toAbsolutePath().toString());
        pb.environment().put("PCM_JAVA_OPTS", "-Dpcm.exec.timeout=60");
        Path out = Files.createTempFile(data, "out", ".txt");
        Path err = Files.createTempFile(data, "err", ".txt");
        Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile())).start();
        if (!p.waitFor(LauncherIT.EXEC_WAIT_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(cmd + " did not end within " + LauncherIT.EXEC_WAIT_SECONDS + " s");
        }
        return new LauncherIT.Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    @Test
    void blankExecIsAnOperatorErrorNotAHang() throws Exception {
        LauncherIT.Run viaScript = pcm(List.of(), "--data", data.toString(), "exec", " ");
        assertEquals(USAGE, viaScript.status(), viaScript.err());
        assertTrue(viaScript.err().contains("exec needs a Gogo command"), viaScript.err());
        // the runnable jar itself (pcm.ui's ExecRunner), as a launcher other than bin/pcm would start it
        LauncherIT.Run viaJar = LauncherIT.exec(data, " ");
        assertEquals(USAGE, viaJar.status(), viaJar.out() + viaJar.err());
        assertTrue(viaJar.err().contains("exec needs a Gogo command"), viaJar.err());
    }

    @Test
    void optionsOutOfRangeAreOperatorErrors() throws Exception {
        LauncherIT.Run r = LauncherIT.exec(data, "pcm:run --blocks -5");
        assertEquals(USAGE, r.status(), r.out() + r.err());
        assertTrue(r.err().contains("--blocks -5") && r.err().contains("usage: pcm:run"), r.err());
        assertFalse(r.out().contains("PCM default guest"), "the guest must not start: " + r.out());
        LauncherIT.Run v = LauncherIT.exec(data, "pcm:verify no-such-window");
        assertEquals(USAGE, v.status(), v.out() + v.err());
        assertTrue(v.err().contains("no window 'no-such-window'"), v.err());
    }

    static final int UNVERIFIED = 3;

    /** A short sampled run on the software CPU (no /dev/kvm needed) in a data directory with these conf/ files. */
    static LauncherIT.Run sampledRun(String name, String... confNameAndText) throws Exception {
        Path d = data.resolveSibling(name);
        Path conf = Files.createDirectories(d.resolve("conf"));
        for (int i = 0; i < confNameAndText.length; i += 2) Files.writeString(conf.resolve(confNameAndText[i]), confNameAndText[i + 1]);
        return pcm(List.of(), "--data", d.toString(), "run", "--backend", "soft", "--blocks", "1", "--window", "2000",
                "--period", "1", "--timeout", "60");
    }

    /** pcm:run exited 0 with verifiers=nosuch: no window had a verdict that checked anything. */
    @Test
    void aRunWhoseWindowsNoConfiguredVerifierMatchedIsUnverified() throws Exception {
        LauncherIT.Run r = sampledRun("nosuch-verifier-data", "pcm.verification.config", "verifiers=[\"nosuch\"]\n");
        assertEquals(UNVERIFIED, r.status(), r.out() + "\n--- stderr ---\n" + r.err());
        assertTrue(r.out().contains("guest stopped: status 0"), r.out());
        assertTrue(r.out().contains("without a MATCH of each configured verifier [nosuch]"), r.out());
    }

    /**
     * A run stopped at its --timeout reported no verdict at all (it threw at once), so the windows of a long run were never
     * counted (the emulated SVM host's windows scenario lost its last run's): now the open window closes where the guest
     * is, every window is verified and reported, and the status is GUEST (the guest did not stop by itself).
     */
    @Test
    void aRunStoppedAtItsTimeoutStillReportsTheVerdictsOfItsWindows() throws Exception {
        Path d = data.resolveSibling("timeout-verdicts-data");
        Files.createDirectories(d.resolve("conf"));
        LauncherIT.Run r = pcm(List.of(), "--data", d.toString(), "run", "--backend", "soft", "--blocks", "1000000000",
                "--window", "2000", "--period", "500", "--timeout", "8", "--verify-timeout", "40");
        String all = r.out() + "\n--- stderr ---\n" + r.err();
        assertEquals(5, r.status(), all);
        assertTrue(r.out().contains("the guest did not stop within 8 s; stopped it"), all);
        assertTrue(r.out().matches("(?s).*window w\\S+ MATCH rcp=soft .*"), all);
        assertTrue(r.out().matches("(?s).*[1-9][0-9]* verdicts on [1-9][0-9]* windows, 0 DIVERGED\n.*"), all);
        assertFalse(r.out().contains("INCONCLUSIVE"), "the window open at the timeout is closed and stored, not given up\n" + all);
    }

    /** pcm:run exited 0 when the windows directory could not be written: nothing recorded is nothing checked. */
    @Test
    void aRunThatRecordedNothingIsUnverified() throws Exception {
        LauncherIT.Run r = sampledRun("unwritable-windows-data",
                "pcm.eventlog.config", "directory=\"/proc/pcm-nowhere/windows\"\n",
                "pcm.sampling.config", "commitTimeoutMillis=L\"1000\"\n");
        assertEquals(UNVERIFIED, r.status(), r.out() + "\n--- stderr ---\n" + r.err());
        assertTrue(r.out().contains("0 verdicts on 0 windows, 0 DIVERGED, no window recorded"), r.out());
    }

    /** pcm:log check printed CORRUPT and exited 0. */
    @Test
    void aDamagedLogIsDamagedNotOk() throws Exception {
        Path d = data.resolveSibling("damaged-log-data");
        Path windows = Files.createDirectories(d.resolve("windows"));
        byte[] junk = new byte[300];
        new java.util.Random(11).nextBytes(junk);
        Files.write(windows.resolve("20260101T000000Z_w1_events.pcmlog"), junk);
        LauncherIT.Run r = pcm(List.of(), "--data", d.toString(), "exec", "pcm:log check");
        assertEquals(4, r.status(), r.out() + "\n--- stderr ---\n" + r.err());
        assertTrue(r.out().contains("1 log(s), 1 not valid"), "the report is printed all the same: " + r.out());
    }

    /** unshare -rm: a user and mount namespace in which the data directory is a read-only bind mount (root can write anywhere else). */
    static List<String> readOnly(Path dir) throws Exception {
        List<String> prefix = List.of("unshare", "-rm", "sh", "-c", "mount --bind -o ro \"$0\" \"$0\" && shift && exec \"$@\"",
                dir.toString(), "--");
        Process probe = new ProcessBuilder(new ArrayList<>(prefix) {{ add("sh"); add("-c"); add("! touch \"$0\"/probe 2>/dev/null"); add(dir.toString()); }})
                .redirectErrorStream(true).start();
        boolean ok = probe.waitFor(30, TimeUnit.SECONDS) && probe.exitValue() == 0;
        assumeTrue(ok, "no user/mount namespaces on this host (unshare -rm): cannot make a read-only directory as root");
        return prefix;
    }

    @Test
    void aReadOnlyDataDirectoryStillServesTheCommandsThatRead() throws Exception {
        Path ro = data.resolveSibling("read-only-data");
        Files.createDirectories(ro.resolve("deploy"));
        Files.createDirectories(ro.resolve("conf"));
        Files.createDirectories(ro.resolve("windows"));
        List<String> prefix = readOnly(ro);
        LauncherIT.Run r = pcm(prefix, "--data", ro.toString(), "exec", "pcm:windows");
        assertEquals(0, r.status(), r.out() + "\n--- stderr ---\n" + r.err());
        assertTrue(r.out().contains("no windows"), r.out());
        assertFalse(r.out().contains("Exception"), "no stack trace on stdout: " + r.out());
        assertTrue(r.err().contains("is not writable: framework cache and log in"), r.err());
        assertFalse(Files.exists(ro.resolve("felix-cache")), "nothing written into the read-only directory");
        LauncherIT.Run unknown = pcm(prefix, "--data", ro.toString(), "exec", "pcm:nonexistent");
        assertEquals(USAGE, unknown.status(), unknown.out() + unknown.err());
    }
}
