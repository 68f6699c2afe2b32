package pcm.itests;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A resident PCM driven the way an operator drives it: {@code bin/pcm --data DIR start|stop|status|exec|shell} of this
 * repository, on the exported runtime jar (PCM_JAR). Every call is bounded; {@link #close()} stops it (and kills it if
 * it does not stop), so a failing test leaves no JVM behind.
 */
final class Resident implements AutoCloseable {

    record Run(int status, String out, String err) {
        @Override
        public String toString() {
            return "status " + status + "\nstdout:\n" + out + "\nstderr:\n" + err;
        }
    }

    static final long CALL_SECONDS = 180;

    final Path data;

    Resident(Path data) {
        this.data = data;
    }

    static Path repoRoot() {
        return LauncherIT.jar().toAbsolutePath().getParent().getParent().getParent();
    }

    static Path binPcm() {
        return repoRoot().resolve("bin/pcm");
    }

    /** A fresh data directory under the test work directory (an earlier run's is removed). */
    static Path freshData(String name) throws IOException {
        Path d = Path.of(System.getProperty("pcm.itest.workdir", "target/itest"), name).toAbsolutePath();
        if (Files.exists(d)) {
            try (var walk = Files.walk(d)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        Files.createDirectories(d.resolve("conf"));
        return d;
    }

    /** A resident PCM started on {@code data}; fails the caller's set-up, with the start's output, if it did not start. */
    static Resident started(Path data) throws Exception {
        Resident pcm = new Resident(data);
        Run r = pcm.start();
        org.junit.jupiter.api.Assertions.assertEquals(0, r.status(), r.toString());
        return pcm;
    }

    Run pcm(String... args) throws Exception {
        return withInput(null, args);
    }

    /** bin/pcm --data DIR args..., with {@code input} on its standard input (none: /dev/null). */
    Run withInput(String input, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(binPcm().toString(), "--data", data.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(data, "out", ".txt");
        Path err = Files.createTempFile(data, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile());
        environment(pb.environment());
        if (input == null) pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        Process p = pb.start();
        if (input != null) {
            try (var in = p.getOutputStream()) {
                in.write(input.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        if (!p.waitFor(CALL_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("bin/pcm " + String.join(" ", args) + " did not end within " + CALL_SECONDS + " s");
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    static void environment(Map<String, String> env) {
        env.put("PCM_JAR", LauncherIT.jar().toAbsolutePath().toString());
        env.put("JAVA_HOME", System.getProperty("java.home"));
        env.remove("PCM_JAVA_OPTS");
        env.remove("PCM_API_PORT");
    }

    Run start() throws Exception {
        return pcm("start", "--port", "0");
    }

    Run exec(String line) throws Exception {
        return pcm("exec", line);
    }

    /** The API's URL; over HTTPS, the tests' client ({@link ApiClient#HTTP}) trusts this resident's certificate from then on. */
    String url() throws IOException {
        String url = Files.readString(data.resolve("run/api.url")).strip();
        if (url.startsWith("https:")) ApiClient.trust(certificate());
        return url;
    }

    /** The PEM of the certificate the resident serves (secrets/https.crt). */
    Path certificate() {
        return data.resolve("secrets/https.crt");
    }

    String adminPassword() throws IOException {
        return Files.readString(data.resolve("secrets/admin.password")).strip();
    }

    /** The resident's pid, or -1 when the pid file is gone. */
    long pid() throws IOException {
        Path f = data.resolve("run/pcm.pid");
        return Files.exists(f) ? Long.parseLong(Files.readString(f).strip()) : -1;
    }

    @Override
    public void close() throws Exception {
        long pid = pid();
        if (pid < 0) return;
        var handle = ProcessHandle.of(pid);
        if (handle.isEmpty() || !handle.get().isAlive()) return;
        pcm("stop");
        if (handle.get().isAlive()) handle.get().destroyForcibly();
    }
}
