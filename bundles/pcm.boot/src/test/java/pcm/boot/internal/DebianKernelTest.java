package pcm.boot.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import pcm.boot.api.Compression;

/**
 * Issue 14 item 2 on the real thing: Debian's bzImage from bin/linux-guest's cache (PCM_LINUX_GUEST_CACHE
 * or ~/.cache/pcm-linux-guest), with the figures of linux-facts §2.4. Skipped, with the reason, when the
 * guest has not been built on this machine.
 */
class DebianKernelTest {

    static Optional<Path> guestDir() throws Exception {
        String env = System.getenv("PCM_LINUX_GUEST_CACHE");
        Path cache = env != null ? Path.of(env) : Path.of(System.getProperty("user.home"), ".cache", "pcm-linux-guest");
        if (!Files.isDirectory(cache)) return Optional.empty();
        try (Stream<Path> dirs = Files.list(cache)) {
            return dirs.filter(d -> Files.isRegularFile(d.resolve("guest.env"))).sorted().findFirst();
        }
    }

    @Test
    void debianKernelLoads() throws Exception {
        Optional<Path> dir = guestDir();
        assumeTrue(dir.isPresent(), "no test guest built (run bin/linux-guest): Debian's kernel is not checked");
        byte[] file = Files.readAllBytes(dir.get().resolve("vmlinuz"));
        BzImage bz = BzImage.parse(file);
        assertEquals(Compression.XZ, bz.compression());
        assertTrue(bz.header().protocol() >= 0x020C);
        assertEquals(0x7F, bz.header().xloadFlags() & 0x7F);
        assertTrue(bz.header().relocatable());
        int ram = 256 << 20;
        ArrayMemory mem = new ArrayMemory(ram);
        byte[] initrd = Files.readAllBytes(dir.get().resolve("initramfs.cpio.gz"));
        LinuxLoad.Result r = LinuxLoad.load(file, Optional.of(initrd), "console=ttyS0", ram, mem, LinuxLoadTest.settings(false));
        assertEquals(0x1000000, r.entry(), "startup_64 at CONFIG_PHYSICAL_START");
        assertEquals(0x1000000, r.kernelStart());
        assertTrue(r.kernelVersion().startsWith("6."), r.kernelVersion());
        assertTrue(r.initrdAddress() > r.kernelEnd() && r.initrdAddress() + initrd.length <= ram);
    }
}
