package pcm.boot.internal;

import static pcm.boot.api.BootImageException.Problem.UNREADABLE;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.boot.api.BootImageException;
import pcm.boot.api.PlatformDescription;
import pcm.core.api.guest.KernelLoader;
import pcm.core.api.memory.GuestMemory;
import pcm.core.api.vm.VmException;

/** The {@link KernelLoader} for Linux bzImages and ELF vmlinux files (issue 14 item 2; docs/linux-boot.md). */
@Component(service = KernelLoader.class, configurationPid = "pcm.boot.linux")
@Designate(ocd = LinuxKernelLoader.Config.class)
public final class LinuxKernelLoader implements KernelLoader {

    @ObjectClassDefinition(name = "PCM Linux loader", description = "How PCM boots a Linux kernel: what it adds to the command line, "
            + "what its firmware tables describe.")
    public @interface Config {
        @AttributeDefinition(name = "TSC frequency (kHz)", description = "Passed as tsc_early_khz= unless the command line has it; "
                + "the soft CPU's RDTSC runs at 2 GHz by default. 0: not passed.", min = "0")
        long tscKhz() default 2_000_000;

        @AttributeDefinition(name = "Console", description = "console= added unless the command line has one; empty: none.")
        String console() default "ttyS0";

        @AttributeDefinition(name = "Local APIC and IOAPIC", description = "Describe a local APIC and an IOAPIC in the MADT. Off while "
                + "the platform has only the 8259 pair: the kernel is then told nolapic.")
        boolean apics() default false;
    }

    private static final Logger LOG = LoggerFactory.getLogger(LinuxKernelLoader.class);

    private volatile LinuxLoad.Settings settings;

    @Activate
    public LinuxKernelLoader(Config config) {
        modified(config);
    }

    @Modified
    void modified(Config config) {
        settings = new LinuxLoad.Settings(PlatformDescription.pcmLegacy(config.apics()), config.tscKhz(), config.console());
    }

    @Override
    public Boot load(Request request, GuestMemory ram) throws VmException {
        byte[] kernel = read(request.kernel(), "kernel");
        Optional<byte[]> initrd = request.initrd().isPresent() ? Optional.of(read(request.initrd().get(), "initrd")) : Optional.empty();
        LinuxLoad.Result r = LinuxLoad.load(kernel, initrd, request.commandLine(), request.ramBytes(), ram, settings);
        String description = r.describe();
        LOG.info("{}", description);
        return new Boot(EntryState.registers(r.entry()), EntryState.specialRegisters(), description);
    }

    private static byte[] read(Path path, String what) throws BootImageException {
        try {
            return Files.readAllBytes(path);
        } catch (IOException | OutOfMemoryError e) {
            throw new BootImageException(UNREADABLE, what + " " + path + ": " + e, e);
        }
    }
}
