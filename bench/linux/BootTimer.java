import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Times one boot of the Linux test guest (bin/linux-guest's initramfs) under any emulator, for {@code bin/bench linux}:
 * from process start to the {@code PCM-LINUX-INIT} marker (its /init ran), to the shell prompt, and, after typing
 * {@code poweroff -f}, to the process's exit; with the peak resident set of the process tree (the largest VmHWM of
 * it and its descendants: {@code bin/pcm} is a script that starts a JVM). A single-file program:
 * {@code java BootTimer.java <label> <timeout s> <command...>}. Prints one line:
 * {@code boot <label> init=<s> prompt=<s> poweroff=<s> peak_rss_mb=<n> status=<exit>} ({@code -} for a mark not seen).
 */
public class BootTimer {

    static final String INIT = "PCM-LINUX-INIT", PROMPT = "pcm-linux#";

    public static void main(String[] args) throws Exception {
        if (args.length < 3) {
            System.err.println("usage: java BootTimer.java <label> <timeout s> <command...>");
            System.exit(2);
        }
        String label = args[0];
        long timeoutNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(args[1]));
        List<String> command = List.of(args).subList(2, args.length);
        long start = System.nanoTime();
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        double init = -1, prompt = -1;
        long peakKb = 0;
        StringBuilder seen = new StringBuilder();
        byte[] buf = new byte[8192];
        boolean poweroffSent = false;
        long lastRss = 0;
        try (InputStream out = p.getInputStream(); OutputStream in = p.getOutputStream()) {
            while (true) {
                long now = System.nanoTime();
                if (now - start > timeoutNanos) break;
                if (now - lastRss > 200_000_000L) {       // /proc of the whole tree: every 200 ms, not per read
                    peakKb = Math.max(peakKb, treePeakKb(p.toHandle()));
                    lastRss = now;
                }
                if (out.available() > 0) {
                    int n = out.read(buf);
                    if (n < 0) break;
                    seen.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                    if (init < 0 && seen.indexOf(INIT) >= 0) init = seconds(start);
                    if (prompt < 0 && seen.indexOf(PROMPT) >= 0) prompt = seconds(start);
                    if (seen.length() > 1 << 20) seen.delete(0, seen.length() - 4096);
                    continue;
                }
                if (prompt >= 0 && !poweroffSent) {
                    in.write("poweroff -f\n".getBytes(StandardCharsets.US_ASCII));
                    in.flush();
                    poweroffSent = true;
                }
                if (!p.isAlive()) break;
                Thread.sleep(5);
            }
        } catch (IOException e) {
            // the process closed its side: it ended
        }
        peakKb = Math.max(peakKb, treePeakKb(p.toHandle()));
        boolean ended = p.waitFor(Math.max(1, TimeUnit.NANOSECONDS.toSeconds(timeoutNanos - (System.nanoTime() - start))), TimeUnit.SECONDS);
        double off = ended && poweroffSent ? seconds(start) : -1;
        if (!ended) p.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
        if (!ended) p.destroyForcibly();
        int status = ended ? p.exitValue() : -1;
        System.out.println(String.format(Locale.ROOT, "boot %s init=%s prompt=%s poweroff=%s peak_rss_mb=%d status=%d", label,
                fmt(init), fmt(prompt), fmt(off), peakKb / 1024, status));
        if (init < 0) {
            String tail = seen.length() > 3000 ? seen.substring(seen.length() - 3000) : seen.toString();
            System.err.println("[" + label + "] no " + INIT + " marker; the end of its output:\n" + tail);
        }
    }

    static double seconds(long start) {
        return (System.nanoTime() - start) / 1e9;
    }

    static String fmt(double s) {
        return s < 0 ? "-" : String.format(Locale.ROOT, "%.2f", s);
    }

    /** The largest VmHWM (kB) among the process and its descendants, as far as /proc shows them now. */
    static long treePeakKb(ProcessHandle root) {
        long max = hwmKb(root.pid());
        for (ProcessHandle h : root.descendants().toList()) max = Math.max(max, hwmKb(h.pid()));
        return max;
    }

    static long hwmKb(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        } catch (IOException | RuntimeException e) {
            // gone meanwhile
        }
        return 0;
    }
}
