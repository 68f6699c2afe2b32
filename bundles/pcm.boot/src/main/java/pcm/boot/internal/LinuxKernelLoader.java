package pcm.boot.internal;

import static pcm.boot.api.BootImageException.Problem.UNREADABLE;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
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
import pcm.devices.api.pci.PciHost;
import pcm.irq.api.IoApic;
import pcm.irq.api.LocalApic;

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

        @AttributeDefinition(name = "Local APIC and IOAPIC", description = "Describe the local APIC and the IOAPIC in the MADT when "
                + "their components are present (pcm.irq.lapic, pcm.irq.ioapic). Off, or without them, the kernel is told nolapic "
                + "(noapic with a local APIC but no IOAPIC).")
        boolean apics() default true;
    }

    private static final Logger LOG = LoggerFactory.getLogger(LinuxKernelLoader.class);

    private volatile Config config;
    private volatile LocalApic localApic;
    private volatile IoApic ioApic;
    private volatile PciHost pciHost;

    @Activate
    public LinuxKernelLoader(Config config) {
        modified(config);
    }

    @Modified
    void modified(Config config) {
        this.config = config;
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindLocalApic(LocalApic a) { localApic = a; }

    void unbindLocalApic(LocalApic a) { if (localApic == a) localApic = null; }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindIoApic(IoApic a) { ioApic = a; }

    void unbindIoApic(IoApic a) { if (ioApic == a) ioApic = null; }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindPciHost(PciHost h) { pciHost = h; }

    void unbindPciHost(PciHost h) { if (pciHost == h) pciHost = null; }

    /** The firmware tables describe the controllers present when the kernel is loaded. */
    LinuxLoad.Settings settings() {
        Config c = config;
        boolean lapic = c.apics() && localApic != null;
        PlatformDescription platform = PlatformDescription.pcm(lapic, lapic && ioApic != null);
        PciHost pci = pciHost;
        if (pci != null) platform = platform.withPci(pciRoot(pci));
        return new LinuxLoad.Settings(platform, c.tscKhz(), c.console());
    }

    /** The DSDT's PCI0 from the host bridge present at load time: its windows and every device's INTx routing. */
    static PlatformDescription.PciRoot pciRoot(PciHost h) {
        List<PlatformDescription.PciRoute> routes = new ArrayList<>();
        for (int device = 1; device < 32; device++) {
            for (int pin = 1; pin <= 4; pin++) routes.add(new PlatformDescription.PciRoute(device, pin, h.isaIrq(device, pin)));
        }
        return new PlatformDescription.PciRoot(h.ioWindowBase(), h.ioWindowSize(), h.memoryWindowBase(), h.memoryWindowSize(), routes,
                h.ecamBase());
    }

    @Override
    public Boot load(Request request, GuestMemory ram) throws VmException {
        byte[] kernel = read(request.kernel(), "kernel");
        Optional<byte[]> initrd = request.initrd().isPresent() ? Optional.of(read(request.initrd().get(), "initrd")) : Optional.empty();
        LinuxLoad.Result r = LinuxLoad.load(kernel, initrd, request.commandLine(), request.ramBytes(), ram, settings());
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
