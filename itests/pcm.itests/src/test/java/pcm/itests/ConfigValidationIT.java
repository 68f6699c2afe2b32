package pcm.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * Issue 11 item 8: bad configuration values. {@code memoryMiB=abc} surfaced as a ComponentException,
 * {@code windowTimeoutMillis=abc} killed the sampler with dozens of stack-trace lines on the terminal, a zero worker
 * count or poll interval killed verification and {@code memoryMiB=1048576} was taken. Now each is rejected when the
 * configuration is loaded, with one line naming file, key and value (on the terminal and in
 * {@code <data>/log/pcm.log}), the component runs on its last good configuration (here: the defaults), and no stack
 * trace reaches the terminal.
 */
class ConfigValidationIT {

    @Test
    void badValuesAreRejectedByNameAndTheComponentsKeepRunning() throws Exception {
        ExitStatusIT.paths();
        Path data = ExitStatusIT.data.resolveSibling("bad-config-data");
        Path conf = Files.createDirectories(data.resolve("conf"));
        Files.createDirectories(data.resolve("deploy"));
        Files.writeString(conf.resolve("pcm.vm.config"), "memoryMiB=I\"1048576\"\nbackend=\"soft\"\n");
        Files.writeString(conf.resolve("pcm.sampling.cfg"), "windowTimeoutMillis=abc\n");
        Files.writeString(conf.resolve("pcm.verification.cfg"), "workers=0\n");
        Files.writeString(conf.resolve("pcm.sampling.periodic.cfg"), "periodMillis=-5\n");

        LauncherIT.Run r = ExitStatusIT.pcm(List.of(), "--data", data.toString(), "exec", "pcm:services Vm");
        assertEquals(0, r.status(), r.out() + "\n--- stderr ---\n" + r.err());
        String vm = r.out().lines().filter(l -> l.contains("component.name=pcm.core.internal.vm.KernelVm")).findFirst().orElse("");
        assertTrue(vm.contains("memoryMiB=64"), "the VM runs on its default memory: " + r.out());
        assertTrue(vm.contains("backend=auto"), "the rejected file is rejected whole: " + vm);
        // the sampler and the verification service are up on their defaults
        LauncherIT.Run sample = ExitStatusIT.pcm(List.of(), "--data", data.toString(), "exec", "pcm:sample");
        assertEquals(0, sample.status(), sample.out() + sample.err());
        assertTrue(sample.out().contains("sampling IDLE"), sample.out());
        LauncherIT.Run verify = ExitStatusIT.pcm(List.of(), "--data", data.toString(), "exec", "pcm:verify --rcp soft no-such-window");
        assertEquals(ExitStatusIT.USAGE, verify.status(), verify.out() + verify.err());
        assertTrue(verify.err().contains("no window 'no-such-window'"), verify.err());

        Path log = data.resolve("log/pcm.log");
        String logged = Files.readString(log);
        for (String line : List.of(
                conf.resolve("pcm.vm.config") + ": pcm.vm rejected: memoryMiB=1048576 (Memory (MiB): greater than maximum; allowed 4..3072)",
                conf.resolve("pcm.sampling.cfg") + ": pcm.sampling rejected: windowTimeoutMillis=abc (",
                conf.resolve("pcm.verification.cfg") + ": pcm.verification rejected: workers=0 (",
                conf.resolve("pcm.sampling.periodic.cfg") + ": pcm.sampling.periodic rejected: periodMillis=-5 (")) {
            assertTrue(r.err().contains(line), "on the terminal: " + line + "\n" + r.err());
            assertTrue(logged.contains(line), "in " + log + ": " + line + "\n" + logged);
        }
        assertFalse(r.err().contains("Exception") || r.err().contains("\tat "), "no stack trace on the terminal: " + r.err());
    }
}
