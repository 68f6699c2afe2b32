package pcm.itests;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * A command on a pseudo-terminal ({@code script(1)} of util-linux), its screen read as it comes and keys typed as a
 * person types them: how the interactive shells are driven (the same way as ShellIT's). {@link #close()} kills it.
 */
final class Pty implements AutoCloseable {

    private static final Pattern ANSI = Pattern.compile("\u001b(\\[[0-9;?]*[ -/]*[@-~]|[=>]|O.)");

    final Process process;
    private final OutputStream keys;
    private final ByteArrayOutputStream seen = new ByteArrayOutputStream();

    private Pty(Process process) {
        this.process = process;
        this.keys = process.getOutputStream();
        InputStream in = process.getInputStream();
        Thread.ofPlatform().daemon().name("pty-reader").start(() -> {
            byte[] b = new byte[8192];
            try {
                for (int n; (n = in.read(b)) > 0; ) {
                    synchronized (seen) {
                        seen.write(b, 0, n);
                    }
                }
            } catch (IOException ended) {
                // the process ended
            }
        });
    }

    static boolean available() {
        return java.nio.file.Files.isExecutable(Path.of("/usr/bin/script"));
    }

    /** {@code bin/pcm --data DIR args} on a 200x50 pseudo-terminal, with the environment of the other ITs. */
    static Pty binPcm(Path data, String args) throws IOException {
        return binPcm(data, args, "");
    }

    /** As {@link #binPcm(Path, String)}, after the shell commands {@code before} (e.g. {@code trap '' INT; }). */
    static Pty binPcm(Path data, String args, String before) throws IOException {
        // script(1) gives the terminal no size when its own input is not a terminal; JLine needs one to draw the prompt
        String line = before + "stty cols 200 rows 50 && exec " + Resident.binPcm() + " --data " + data + " " + args;
        ProcessBuilder pb = new ProcessBuilder("/usr/bin/script", "-qfec", line, "/dev/null").redirectErrorStream(true);
        Resident.environment(pb.environment());
        pb.environment().put("TERM", "xterm-256color");
        return new Pty(pb.start());
    }

    /** The screen so far, escape sequences removed. */
    String text() {
        synchronized (seen) {
            return ANSI.matcher(seen.toString(StandardCharsets.UTF_8)).replaceAll("");
        }
    }

    int count(String s) {
        String t = text();
        int n = 0;
        for (int i = t.indexOf(s); i >= 0; i = t.indexOf(s, i + s.length())) n++;
        return n;
    }

    /** Waits until {@code s} has appeared {@code times} times (or fails, printing the screen). */
    void await(String s, int times, long seconds) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (count(s) < times) {
            if (System.nanoTime() > deadline)
                throw new AssertionError("'" + s + "' x" + times + " did not appear within " + seconds + " s; screen:\n" + text());
            Thread.sleep(50);
        }
    }

    /** A few keys at a time, as a person types: a long line written at once lost its end on the pseudo-terminal. */
    void type(String s) throws IOException, InterruptedException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < b.length; i += 8) {
            keys.write(b, i, Math.min(8, b.length - i));
            keys.flush();
            Thread.sleep(30);
        }
        Thread.sleep(200);
    }

    /** Types a line and waits for the next prompt after it. */
    void command(String line, long seconds) throws IOException, InterruptedException {
        int prompts = count("pcm> ");
        type(line + "\r");
        await("pcm> ", prompts + 1, seconds);
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
