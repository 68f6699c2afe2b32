package pcm.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 items 1 and 2 end to end, without Debian's kernel: {@code pcm:run --kernel} loads a tiny ELF
 * "kernel" through pcm.boot on the soft CPU. The kernel checks the 64-bit boot protocol's promises (RSI =
 * the zero page with its "HdrS" header), prints the command line it finds through cmd_line_ptr and the
 * initrd size, then powers off through the FADT's PM1a control block (SLP_TYP=5 | SLP_EN), so the run ends
 * with status 0 and the reason "ACPI power-off (S5)". Regression for two defects this found: the PM1
 * device's Platform binding was skipped by SCR as a circular reference (VM -> dispatcher -> bus -> device ->
 * VM), so the power-off was lost (3 of 3 runs); and a guest that stops before KernelVm.start() has published
 * the running VM had its power-off dropped and its stop overwritten (KernelVm now starts the guest only after).
 */
class LinuxLoaderIT {

    static Path data;

    @BeforeAll
    static void paths() throws Exception {
        LauncherIT.paths();
        data = LauncherIT.data.resolveSibling("linux-loader-data");
        Files.createDirectories(data.resolve("conf"));
        Files.createDirectories(data.resolve("deploy"));
    }

    /**
     * x86-64 code at 0x1000000: check "HdrS" at [rsi+0x202], print the command line at [rsi+0x228] and
     * "!" if the header is wrong; then the low byte of ramdisk_size as a character, then S5.
     */
    static byte[] code() {
        ByteArrayOutputStream c = new ByteArrayOutputStream();
        c.writeBytes(hex("8b 86 02 02 00 00"));       // mov eax, [rsi+0x202]
        c.writeBytes(hex("3d 48 64 72 53"));          // cmp eax, "HdrS"
        c.writeBytes(hex("75 2d"));                   // jne fail (+45)
        c.writeBytes(hex("8b 9e 28 02 00 00"));       // mov ebx, [rsi+0x228]   cmd_line_ptr
        c.writeBytes(hex("66 ba f8 03"));             // mov dx, 0x3f8
        c.writeBytes(hex("8a 03 84 c0 74 06 ee 48 ff c3 eb f4")); // print bytes at rbx until NUL
        c.writeBytes(hex("b0 0a ee"));                // '\n'
        c.writeBytes(hex("8a 86 1c 02 00 00 ee"));    // mov al, [rsi+0x21c] (ramdisk_size low byte); out
        c.writeBytes(hex("66 ba 04 06 66 b8 00 34 66 ef")); // mov dx, 0x604; mov ax, 0x3400; out dx, ax
        c.writeBytes(hex("f4 eb fd"));                // hlt; jmp $-1
        c.writeBytes(hex("66 ba f8 03 b0 21 ee f4")); // fail: '!' and halt with interrupts off
        return c.toByteArray();
    }

    static byte[] hex(String s) {
        String[] parts = s.trim().split("\\s+");
        byte[] b = new byte[parts.length];
        for (int i = 0; i < parts.length; i++) b[i] = (byte) Integer.parseInt(parts[i], 16);
        return b;
    }

    /** ELF64 executable with one PT_LOAD of the code at physical 0x1000000, entry there. */
    static byte[] elf(byte[] code) {
        ByteBuffer b = ByteBuffer.allocate(0x1000 + code.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7F, 'E', 'L', 'F', 2, 1, 1});
        b.putShort(16, (short) 2).putShort(18, (short) 62).putInt(20, 1).putLong(24, 0x1000000).putLong(32, 64)
                .putShort(52, (short) 64).putShort(54, (short) 56).putShort(56, (short) 1);
        b.putInt(64, 1).putLong(72, 0x1000).putLong(80, 0xFFFFFFFF81000000L).putLong(88, 0x1000000)
                .putLong(96, code.length).putLong(104, 0x10000);
        b.put(0x1000, code);
        return b.array();
    }

    @Test
    void tinyKernelSeesTheBootProtocolAndPowersOffThroughAcpi() throws Exception {
        Path kernel = Files.write(data.resolve("tiny-vmlinux"), elf(code()));
        // a newc cpio of 0x41 ('A') bytes, padded: the kernel prints its size's low byte
        byte[] cpio = new byte[0x41];
        System.arraycopy("070701".getBytes(StandardCharsets.US_ASCII), 0, cpio, 0, 6);
        Path initrd = Files.write(data.resolve("tiny.cpio"), cpio);
        LauncherIT.Run r = LauncherIT.exec(data, "pcm:run --backend soft -w 0 -t 60 --memory 64 --kernel " + kernel
                + " --initrd " + initrd + " --append 'hello=pcm'", 120);
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("hello=pcm console=ttyS0 tsc_early_khz=2000000\nA"), r.out()); // LAPIC + IOAPIC present: no nolapic
        assertTrue(r.out().contains("guest stopped: status 0 (ACPI power-off (S5))"), r.out());
    }

    @Test
    void aBrokenKernelIsATypedRunFailure() throws Exception {
        Path kernel = Files.write(data.resolve("not-a-kernel"), "hello".getBytes(StandardCharsets.US_ASCII));
        LauncherIT.Run r = LauncherIT.exec(data, "pcm:run --backend soft -w 0 -t 60 --kernel " + kernel, 120);
        assertTrue(r.status() != 0, r.out() + r.err());
        assertTrue((r.out() + r.err()).contains("BAD_MAGIC: the kernel is neither a bzImage"), r.out() + r.err());
    }
}
