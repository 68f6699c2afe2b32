package pcm.softcpu.internal.sse.fp;


import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import pcm.softcpu.internal.HostProgram;

/**
 * The host CPU as ground truth for {@link SseFloat}: {@code src/test/c/sse_fp_oracle.c}, built with the
 * machine's {@code gcc} into {@code target/}, executes each case natively (scalar SSE instruction with the
 * case's MXCSR, SIGFPE caught for unmasked exceptions) and answers result, MXCSR after and whether it faulted.
 */
final class SseFpOracle {

    /** One native answer. */
    record Answer(long result, int mxcsr, boolean faulted) {
    }

    private SseFpOracle() {
    }

    /** Why the oracle cannot run here, or null when it can (x86-64 Linux with gcc). */
    static String unavailable() {
        return HostProgram.unavailable("the SSE oracle");
    }

    private static Path executable() throws IOException, InterruptedException {
        return HostProgram.build("sse_fp_oracle.c", "sse-fp-oracle");
    }

    /** Runs {@code op} natively on every (mxcsr[i], a[i], b[i]). */
    static Answer[] run(String op, int[] mxcsr, long[] a, long[] b) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(executable().toString()).start();
        Thread writer = new Thread(() -> {
            try (BufferedWriter w = new BufferedWriter(new OutputStreamWriter(p.getOutputStream(), StandardCharsets.US_ASCII), 1 << 16)) {
                for (int i = 0; i < a.length; i++) {
                    w.write(op);
                    w.write(' ');
                    w.write(Integer.toHexString(mxcsr[i]));
                    w.write(' ');
                    w.write(Long.toHexString(a[i]));
                    w.write(' ');
                    w.write(Long.toHexString(b[i]));
                    w.write('\n');
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }, "sse-oracle-writer");
        writer.start();
        Answer[] out = new Answer[a.length];
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.US_ASCII), 1 << 16)) {
            for (int i = 0; i < a.length; i++) {
                String line = r.readLine();
                if (line == null) {
                    throw new IOException("oracle ended after " + i + " answers: "
                            + new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
                }
                int s1 = line.indexOf(' '), s2 = line.indexOf(' ', s1 + 1);
                out[i] = new Answer(Long.parseUnsignedLong(line, 0, s1, 16), Integer.parseInt(line, s1 + 1, s2, 16),
                        line.charAt(s2 + 1) == '1');
            }
        }
        writer.join();
        p.waitFor();
        return out;
    }

    /** The host's CPUID vendor string, for the report. */
    static String vendor() {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.startsWith("vendor_id")) return l.substring(l.indexOf(':') + 1).trim();
            }
        } catch (IOException e) {
            // fall through
        }
        return "unknown";
    }
}
