package pcm.ui.internal.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Hashtable;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 14 item 1: pcm:run's --kernel/--initrd/--append/--memory reach the pcm.vm configuration, bad ones are usage errors. */
class KernelOptionsTest {

    @Test
    void kernelOptionsBecomeVmConfiguration(@TempDir Path dir) throws Exception {
        Path kernel = Files.writeString(dir.resolve("vmlinuz"), "k");
        Path initrd = Files.writeString(dir.resolve("initrd"), "i");
        Hashtable<String, Object> props = new Hashtable<>();
        KernelOptions.check(kernel.toString(), initrd.toString(), "console=ttyS0", 0).applyTo(props);
        assertEquals(kernel.toAbsolutePath().toString(), props.get("kernel"));
        assertEquals(initrd.toAbsolutePath().toString(), props.get("initrd"));
        assertEquals("console=ttyS0", props.get("kernelCommandLine"));
        assertEquals(KernelOptions.DEFAULT_MEMORY_MIB, props.get("memoryMiB"));
        props.clear();
        KernelOptions.check(kernel.toString(), "", "", 512).applyTo(props);
        assertEquals(512, props.get("memoryMiB"));
        assertEquals("", props.get("initrd"));
        assertTrue(KernelOptions.check("", "", "", 0).isEmpty());
    }

    @Test
    void badOptionsAreUsageErrors(@TempDir Path dir) {
        for (String[] bad : new String[][] {{dir.resolve("missing").toString(), "", "", "0", "no readable file"},
                {"", "", "quiet", "0", "--append needs --kernel"}, {"", dir.toString(), "", "0", "--initrd needs --kernel"},
                {"", "", "", "5000", "--memory 5000"}}) {
            CommandFailure f = assertThrows(CommandFailure.class, () -> KernelOptions.check(bad[0], bad[1], bad[2], Integer.parseInt(bad[3])));
            assertTrue(f.getMessage().contains(bad[4]) && f.getMessage().contains("usage: pcm:run"), f.getMessage());
        }
    }

    @Test
    void diskMustBeAWritableFileAndNeedsAKernel(@TempDir Path dir) throws Exception {
        Path kernel = Files.writeString(dir.resolve("vmlinuz"), "k");
        Path disk = Files.write(dir.resolve("disk.img"), new byte[512]);
        assertEquals(disk.toAbsolutePath().toString(), KernelOptions.check(kernel.toString(), "", "", 0, disk.toString()).disk());
        assertEquals("", KernelOptions.check(kernel.toString(), "", "", 0).disk());
        CommandFailure noKernel = assertThrows(CommandFailure.class, () -> KernelOptions.check("", "", "", 0, disk.toString()));
        assertTrue(noKernel.getMessage().contains("--disk needs --kernel"), noKernel.getMessage());
        CommandFailure missing = assertThrows(CommandFailure.class,
                () -> KernelOptions.check(kernel.toString(), "", "", 0, dir.resolve("none.img").toString()));
        assertTrue(missing.getMessage().contains("--disk") && missing.getMessage().contains("usage: pcm:run"), missing.getMessage());
        assertThrows(CommandFailure.class, () -> KernelOptions.check(kernel.toString(), "", "", 0, dir.toString()), "a directory");
    }
}
