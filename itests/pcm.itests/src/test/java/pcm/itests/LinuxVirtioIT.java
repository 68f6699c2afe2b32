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
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 14's scripted session (one boot: each boot of Debian's kernel costs ~40 s of the suite): Debian's kernel and
 * busybox boot on the soft CPU to the shell prompt; commands typed into the run's standard input reach the guest's 16550
 * (ConsoleInput) and their output comes back on the console: shell arithmetic, long double printing (x87), md5sum, the
 * timer through the IOAPIC and the local APIC timer ticking (APIC mode, the MADT's). Then the PCI/virtio part: the kernel with {@code pcm:run --disk} (a copy of
 * bin/linux-guest's disk.ext2) finds the PCI host bridge through ACPI, virtio_pci binds virtio-blk and virtio-rng on
 * INTx (IRQs 10/11, level, through the IOAPIC in APIC mode), the guest reads 4 KiB from /dev/hwrng, mounts the disk, reads the known file,
 * writes one, syncs, unmounts and powers off through ACPI (status 0); the image holds the file afterwards (raw bytes, and {@code debugfs} /
 * {@code e2fsck -fn} where e2fsprogs is installed). Skipped, with the reason, when the test guest is not built or is
 * older than format 3 (no /bin/pcm-mount-disk).
 */
class LinuxVirtioIT {

    static void type(OutputStream in, String line) throws IOException {
        in.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        in.flush();
    }

    /** Types a command that ends by echoing {@code done}; waits for that echo and the next prompt; returns the output. */
    static String command(InputStream out, OutputStream in, StringBuilder seen, String cmd, String done, long deadline) throws IOException {
        int at = seen.length();
        type(in, cmd + "; echo " + done.replace("-", "\\-"));   // the echo's own command line does not contain done
        assertTrue(LinuxGuest.await(out, seen, done, at, deadline), "no answer to '" + cmd + "'\n" + seen);
        int end = seen.indexOf(done, at);
        assertTrue(LinuxGuest.await(out, seen, "pcm-linux#", end, deadline), "no prompt after '" + cmd + "'\n" + seen);
        return seen.substring(at, end);
    }

    @Test
    @Timeout(value = 400, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void debianBootsToTheShellAnswersAndUsesVirtioBlkAndRngOverPci() throws Exception {
        Optional<Path> g = LinuxGuest.guest();
        assumeTrue(g.isPresent(), "no test guest built (run bin/linux-guest): Debian's kernel is not booted");
        assumeTrue(Files.isRegularFile(g.get().resolve("fs-modules.txt")) && Files.isRegularFile(g.get().resolve("disk.ext2")),
            "the test guest in " + g.get() + " predates the virtio disk (format 3): run bin/linux-guest again");
        LauncherIT.paths();
        Path data = LauncherIT.data.resolveSibling("linux-virtio-data");
        Files.createDirectories(data.resolve("conf"));
        Files.createDirectories(data.resolve("deploy"));
        Path disk = data.resolveSibling("linux-virtio-disk.ext2");
        Files.copy(g.get().resolve("disk.ext2"), disk, StandardCopyOption.REPLACE_EXISTING);
        disk.toFile().setWritable(true);
        String marker = "PCM-WRITTEN-" + Long.toHexString(System.nanoTime());
        String run = "pcm:run --backend soft -w 0 -t 240 --kernel " + g.get().resolve("vmlinuz") + " --initrd "
            + g.get().resolve("initramfs.cpio.gz") + " --disk " + disk + " --append 'console=ttyS0 cryptomgr.notests'";
        Process p = new ProcessBuilder(LauncherIT.command(data, run, "-Dpcm.exec.timeout=300")).redirectErrorStream(true).start();
        StringBuilder seen = new StringBuilder();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
        try (InputStream out = p.getInputStream(); OutputStream in = p.getOutputStream()) {
            assertTrue(LinuxGuest.await(out, seen, "pcm-linux#", 0, deadline), "no shell prompt\n" + seen);

            int shellAt = seen.length();
            // issue 13's busybox checks, under Linux on the soft CPU: shell arithmetic, long double printing (x87),
            // md5sum (the host's answer for "pcm-linux\n": computed here)
            in.write(("uname -r; echo answer=$((6*7)); printf 'ld=%.3Lf\\n' 2.5; echo pcm-linux | md5sum;"
                + " grep -c ^processor /proc/cpuinfo;"
                // APIC mode: the timer through the IOAPIC, the local APIC timer ticking (pcm.irq)
                + " grep -q 'IO-APIC.*timer' /proc/interrupts && echo apic=ioapic-timer;"
                + " awk '/LOC:/ { print \"loc-ticking=\" ($2 > 0) }' /proc/interrupts\n").getBytes(StandardCharsets.US_ASCII));
            in.flush();
            assertTrue(LinuxGuest.await(out, seen, "answer=42", shellAt, deadline), "the shell did not answer\n" + seen);
            assertTrue(LinuxGuest.await(out, seen, "pcm-linux#", seen.indexOf("answer=42", shellAt), deadline), "no prompt after\n" + seen);
            String answers = seen.substring(shellAt);
            assertTrue(answers.contains("-amd64"), "uname -r\n" + answers);
            assertTrue(answers.contains("ld=2.500"), "printf %.3Lf\n" + answers);
            String md5 = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("MD5")
                .digest("pcm-linux\n".getBytes(StandardCharsets.US_ASCII)));
            assertTrue(answers.contains(md5), "md5sum, want " + md5 + "\n" + answers);
            assertTrue(LinuxGuest.await(out, seen, "loc-ticking=", shellAt, deadline), "no /proc/interrupts answer\n" + seen);
            answers = seen.substring(shellAt);
            assertTrue(answers.contains("apic=ioapic-timer"), "IRQ 0 not routed through the IOAPIC\n" + answers);
            assertTrue(answers.contains("loc-ticking=1"), "no local APIC timer interrupt\n" + answers);

            String pci = command(out, in, seen, "dmesg | grep -E 'MMCONFIG|PCI0|pci 0000|pci_bus|level-triggered|virtio|vda'; grep virtio /proc/interrupts", "pci-listed", deadline);
            System.out.println("--- guest's PCI/virtio lines ---\n" + pci.trim());
            assertTrue(pci.contains("ACPI: PCI Root Bridge [PCI0]"), pci);
            assertTrue(pci.contains("MMCONFIG at [mem 0xe0000000-0xe00fffff] reserved in E820"), "ECAM taken\n" + pci);
            assertTrue(pci.contains("[1af4:1042]") && pci.contains("[1af4:1044]"), "virtio-blk and virtio-rng enumerated\n" + pci);
            assertTrue(pci.contains("[vda]"), "virtio_blk found the disk\n" + pci);
            // APIC mode (stop 22): the _PRT's active-low level lines through the IOAPIC, each having interrupted
            for (String irq : new String[] {"10", "11"}) {
                assertTrue(pci.matches("(?s).*\\b" + irq + ":\\s+[1-9]\\d*\\s+IO-APIC\\s+" + irq + "-fasteoi\\s+virtio.*"),
                    "virtio's INTx on IRQ " + irq + ", level-triggered through the IOAPIC, and interrupting\n" + pci);
            }

            String rng = command(out, in, seen, "dd if=/dev/hwrng bs=4096 count=1 2>/dev/null | wc -c", "rng-read", deadline);
            assertTrue(rng.contains("4096"), "4 KiB from /dev/hwrng\n" + rng);

            String mount = command(out, in, seen, "pcm-mount-disk && cat /mnt/hello.txt", "disk-read", deadline);
            assertTrue(mount.contains("PCM-DISK-MOUNTED") && mount.contains("PCM-DISK-OK"), "the known file\n" + mount);

            String write = command(out, in, seen, "echo " + marker + " > /mnt/written.txt && sync && umount /mnt && echo synced-ok",
                "disk-written", deadline);
            assertTrue(write.contains("synced-ok"), write);

            int at = seen.length();
            type(in, "poweroff -f");
            assertTrue(LinuxGuest.await(out, seen, "guest stopped", at, deadline), "no power-off\n" + seen);
            seen.append(new String(out.readAllBytes(), StandardCharsets.ISO_8859_1));
        } finally {
            if (!p.waitFor(30, TimeUnit.SECONDS)) p.destroyForcibly();
        }
        assertTrue(seen.toString().contains("guest stopped: status 0 (ACPI power-off (S5))"), seen.toString());
        assertEquals(0, p.exitValue(), seen.toString());

        byte[] image = Files.readAllBytes(disk);
        assertTrue(new String(image, StandardCharsets.ISO_8859_1).contains(marker + "\n"), "the written file's bytes are in the image");
        Optional<String> cat = tool("debugfs", "-R", "cat /written.txt", disk.toString());
        cat.ifPresent(text -> assertTrue(text.contains(marker), "debugfs cat /written.txt\n" + text));
        Optional<String> fsck = tool("e2fsck", "-fn", disk.toString());
        fsck.ifPresent(text -> assertTrue(text.contains("written") || text.contains("files"), "e2fsck -fn\n" + text));
    }

    /** Output of an e2fsprogs tool that exited 0; empty when the tool is not installed. */
    static Optional<String> tool(String... cmd) throws Exception {
        for (String dir : new String[] {"/usr/sbin", "/sbin", "/usr/bin"}) {
            Path exe = Path.of(dir, cmd[0]);
            if (!Files.isExecutable(exe)) continue;
            cmd[0] = exe.toString();
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), cmd[0] + " hung");
            assertEquals(0, p.exitValue(), String.join(" ", cmd) + "\n" + text);
            return Optional.of(text);
        }
        System.out.println(cmd[0] + " is not installed (e2fsprogs): the image is checked by its bytes only");
        return Optional.empty();
    }
}
