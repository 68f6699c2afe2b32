package pcm.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 14's scripted session, first part: Debian's kernel and busybox (bin/linux-guest's cache) boot on the soft CPU
 * under {@code pcm:run --kernel} to the shell prompt; commands typed into the run's standard input reach the guest's
 * 16550 (ConsoleInput), their output comes back on the console, and {@code poweroff -f} ends the run with status 0
 * through ACPI. Linux runs in APIC mode (the MADT's local APIC and IOAPIC). Skipped, with the reason, when the test guest is not built ({@code bin/linux-guest}; .ci/run builds it).
 */
class LinuxShellIT {

    static Optional<Path> guest() throws IOException {
        String env = System.getenv("PCM_LINUX_GUEST_CACHE");
        Path cache = env != null ? Path.of(env) : Path.of(System.getenv().getOrDefault("HOME", "/root"), ".cache", "pcm-linux-guest"); // user.home is target/home here (pom)
        if (!Files.isDirectory(cache)) return Optional.empty();
        try (Stream<Path> dirs = Files.list(cache)) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("vmlinuz")) && Files.isRegularFile(d.resolve("initramfs.cpio.gz")))
                .sorted().findFirst();
        }
    }

    /** Reads the process output into {@code seen} until {@code mark} appears after {@code from}; false at end or timeout. */
    static boolean await(InputStream in, StringBuilder seen, String mark, int from, long deadline) throws IOException {
        byte[] buf = new byte[4096];
        while (seen.indexOf(mark, from) < 0) {
            // the guest ended without showing the mark (an unsupported instruction, a panic): nothing more will come,
            // so fail now with what it printed rather than at the deadline (a VERW stop cost 270 s of the suite)
            if (System.nanoTime() > deadline || seen.indexOf("guest stopped: ", from) >= 0) return false;
            if (in.available() == 0) {
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
                continue;
            }
            int n = in.read(buf);
            if (n < 0) return seen.indexOf(mark, from) >= 0;
            seen.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
        }
        return true;
    }

    @Test
    @Timeout(value = 400, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void debianBootsToTheShellAnswersCommandsAndPowersOff() throws Exception {
        Optional<Path> g = guest();
        assumeTrue(g.isPresent(), "no test guest built (run bin/linux-guest): Debian's kernel is not booted");
        LauncherIT.paths();
        Path data = LauncherIT.data.resolveSibling("linux-shell-data");
        Files.createDirectories(data.resolve("conf"));
        Files.createDirectories(data.resolve("deploy"));
        String run = "pcm:run --backend soft -w 0 -t 240 --kernel " + g.get().resolve("vmlinuz") + " --initrd "
            + g.get().resolve("initramfs.cpio.gz") + " --append 'console=ttyS0 cryptomgr.notests'";
        Process p = new ProcessBuilder(LauncherIT.command(data, run, "-Dpcm.exec.timeout=300"))
            .redirectErrorStream(true).start();
        StringBuilder seen = new StringBuilder();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(280);
        try (InputStream out = p.getInputStream(); OutputStream in = p.getOutputStream()) {
            assertTrue(await(out, seen, "pcm-linux#", 0, deadline), "no shell prompt\n" + seen);
            int at = seen.length();
            // issue 13's busybox checks, under Linux on the soft CPU: shell arithmetic, long double printing (x87),
            // md5sum (the host's answer for "pcm-linux\n": computed here)
            in.write(("uname -r; echo answer=$((6*7)); printf 'ld=%.3Lf\\n' 2.5; echo pcm-linux | md5sum;"
                + " grep -c ^processor /proc/cpuinfo;"
                // APIC mode: the timer through the IOAPIC, the local APIC timer ticking (pcm.irq)
                + " grep -q 'IO-APIC.*timer' /proc/interrupts && echo apic=ioapic-timer;"
                + " awk '/LOC:/ { print \"loc-ticking=\" ($2 > 0) }' /proc/interrupts\n").getBytes(StandardCharsets.US_ASCII));
            in.flush();
            assertTrue(await(out, seen, "answer=42", at, deadline), "the shell did not answer\n" + seen);
            assertTrue(await(out, seen, "pcm-linux#", seen.indexOf("answer=42", at), deadline), "no prompt after\n" + seen);
            String answers = seen.substring(at);
            assertTrue(answers.contains("-amd64"), "uname -r\n" + answers);
            assertTrue(answers.contains("ld=2.500"), "printf %.3Lf\n" + answers);
            String md5 = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5")
                .digest("pcm-linux\n".getBytes(StandardCharsets.US_ASCII)));
            assertTrue(answers.contains(md5), "md5sum, want " + md5 + "\n" + answers);
            assertTrue(await(out, seen, "loc-ticking=", at, deadline), "no /proc/interrupts answer\n" + seen);
            answers = seen.substring(at);
            assertTrue(answers.contains("apic=ioapic-timer"), "IRQ 0 not routed through the IOAPIC\n" + answers);
            assertTrue(answers.contains("loc-ticking=1"), "no local APIC timer interrupt\n" + answers);
            at = seen.length();
            in.write("poweroff -f\n".getBytes(StandardCharsets.US_ASCII));
            in.flush();
            assertTrue(await(out, seen, "guest stopped", at, deadline), "no power-off\n" + seen);
            seen.append(new String(out.readAllBytes(), StandardCharsets.ISO_8859_1)); // to the run's end (bounded by @Timeout)
        } finally {
            if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
        }
        assertTrue(seen.toString().contains("guest stopped: status 0 (ACPI power-off (S5))"), seen.toString());
        assertEquals(0, p.exitValue(), seen.toString());
    }
}
