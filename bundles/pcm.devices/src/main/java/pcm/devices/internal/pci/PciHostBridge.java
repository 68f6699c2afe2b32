package pcm.devices.internal.pci;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.core.api.bus.AddressSpace;
import pcm.core.api.bus.IoDevice;
import pcm.core.api.bus.IoRange;
import pcm.core.api.irq.InterruptController;
import pcm.core.api.memory.GuestMemory;
import pcm.core.api.vm.Platform;
import pcm.devices.api.pci.PciBar;
import pcm.devices.api.pci.PciFunction;
import pcm.devices.api.pci.PciHost;
import pcm.devices.api.pci.PciSlot;

/**
 * The PCI host bridge: bus 0 behind configuration mechanism #1 (ports 0xCF8 address, 0xCFC-0xCFF data; byte, word
 * and dword accesses) and ECAM (1 MiB at {@code ecamBase}, the extended space 0x100-0xFFF reading 0), itself at 00:00.0, and every {@link PciFunction} service plugged in at a device number.
 * <p>
 * It does what firmware would before the OS starts: places each BAR in the I/O or memory window (naturally
 * aligned, in the device number's slice of the window), turns decoding on and writes the Interrupt Line of each function's INTx pin. The
 * windows are claimed on the I/O bus as a whole, and an access is forwarded to the function whose enabled BAR
 * holds it, so the guest may move BARs. INTx pins are level-triggered, wired-OR onto ISA IRQs
 * ({@link #isaIrq}); Linux makes those lines level-triggered in the 8259's ELCR from the DSDT's {@code _PRT}.
 * A function that is replaced at the same device number gets its predecessor's header state back.
 */
@Component(name = "pcm.devices.pci", service = {IoDevice.class, PciHost.class})
@Designate(ocd = PciHostBridge.Config.class)
public final class PciHostBridge implements IoDevice, PciHost {

    @ObjectClassDefinition(name = "PCM PCI host bridge", description = "Bus 0 behind ports 0xCF8/0xCFC; BAR windows in the PCI hole below 4 GiB")
    public @interface Config {
        @AttributeDefinition(name = "I/O window base", description = "First port for I/O BARs")
        int ioWindowBase() default 0xC000;

        @AttributeDefinition(name = "I/O window size", description = "Ports for I/O BARs")
        int ioWindowSize() default 0x4000;

        @AttributeDefinition(name = "Memory window base", description = "Guest-physical base for memory BARs: above the largest RAM "
                + "(3 GiB), below the IOAPIC at 0xFEC00000")
        long memoryWindowBase() default 0xC000_0000L;

        @AttributeDefinition(name = "Memory window size")
        long memoryWindowSize() default 0x2000_0000L;

        @AttributeDefinition(name = "ECAM base", description = "Memory-mapped configuration (MMCONFIG) of bus 0, 1 MiB, described by "
                + "the MCFG table and reserved in e820; 0: only ports 0xCF8/0xCFC")
        long ecamBase() default 0xE000_0000L;

        @AttributeDefinition(name = "INTx IRQs", description = "ISA IRQs the INTx pins are swizzled onto: device d, pin p (1-4) drives "
                + "irqs[(d + p - 1) mod n]; level-triggered, shared")
        int[] intxIrqs() default {10, 11};
    }

    private static final Logger LOG = LoggerFactory.getLogger(PciHostBridge.class);
    private static final int DEVICES = 32;
    static final int CONFIG_ENABLE = 0x8000_0000;
    /** ECAM of bus 0: 32 devices x 8 functions x 4 KiB. */
    static final long ECAM_SIZE = 1 << 20;

    /** What a save holds: the address latch and each device's header. */
    public record State(int configAddress, Map<Integer, PciConfigHeader.State> headers) {
        public State {
            headers = Map.copyOf(headers);
        }
    }

    private final Object lock = new Object();
    private final int ioBase, ioSize;
    private final long memBase, memSize;
    private final int[] intxIrqs;
    private final long ecamBase;
    private final List<IoRange> ranges;
    private final AtomicReference<Platform> platform = new AtomicReference<>();
    private final AtomicReference<InterruptController> interrupts = new AtomicReference<>();
    private final Plugged[] slots = new Plugged[DEVICES];
    private final Map<PciFunction, Plugged> byFunction = new HashMap<>();
    private final Map<Integer, PciConfigHeader.State> departed = new HashMap<>();
    private final IntxWiring wiring = new IntxWiring(this::driveIrq);
    private volatile BundleContext context;
    private int configAddress;

    @Activate
    public PciHostBridge(Config config, BundleContext context) {
        this(config);
        this.context = context;
    }

    /** Without a framework (tests): DMA only through a bound {@link Platform}. */
    public PciHostBridge(Config config) {
        ioBase = config.ioWindowBase();
        ioSize = config.ioWindowSize();
        memBase = config.memoryWindowBase();
        memSize = config.memoryWindowSize();
        intxIrqs = config.intxIrqs().clone();
        if (intxIrqs.length == 0 || Arrays.stream(intxIrqs).anyMatch(i -> i < 0 || i > 15)) {
            throw new IllegalArgumentException("intxIrqs must name ISA IRQs 0-15: " + Arrays.toString(intxIrqs));
        }
        if (memBase < 0 || memBase + memSize > 0xFEC0_0000L || memSize <= 0) {
            throw new IllegalArgumentException("the memory window 0x" + Long.toHexString(memBase) + "+0x" + Long.toHexString(memSize)
                    + " must lie below the IOAPIC at 0xFEC00000");
        }
        ecamBase = config.ecamBase();
        if (ecamBase != 0 && (ecamBase % ECAM_SIZE != 0 || ecamBase + ECAM_SIZE > 0xFEC0_0000L
                || ecamBase < memBase + memSize && memBase < ecamBase + ECAM_SIZE)) {
            throw new IllegalArgumentException("the ECAM at 0x" + Long.toHexString(ecamBase) + " must be 1 MiB aligned, below the IOAPIC "
                    + "and outside the memory window");
        }
        ranges = ecamBase == 0
                ? List.of(IoRange.pio(CONFIG_ADDRESS_PORT, 8), IoRange.pio(ioBase, ioSize), IoRange.mmio(memBase, memSize))
                : List.of(IoRange.pio(CONFIG_ADDRESS_PORT, 8), IoRange.pio(ioBase, ioSize), IoRange.mmio(memBase, memSize),
                        IoRange.mmio(ecamBase, ECAM_SIZE));
        plug(new HostBridgeFunction(), 0);
    }

    // ---- wiring ----

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindPlatform(Platform p) { platform.set(p); }

    void unbindPlatform(Platform p) { platform.compareAndSet(p, null); }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindInterruptController(InterruptController c) {
        synchronized (lock) {
            interrupts.set(c);
            wiring.replay();
        }
    }

    void unbindInterruptController(InterruptController c) { interrupts.compareAndSet(c, null); }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, service = PciFunction.class)
    void bindFunction(PciFunction f, Map<String, Object> properties) {
        Object wanted = properties.get(PciFunction.DEVICE_PROPERTY);
        int device = -1;
        if (wanted instanceof Number n) device = n.intValue();
        else if (wanted instanceof String s && !s.isBlank()) device = Integer.decode(s.trim());
        try {
            plug(f, device);
        } catch (RuntimeException e) {
            LOG.error("PCI: {} not plugged in: {}", f.name(), e.getMessage());
        }
    }

    void unbindFunction(PciFunction f) {
        unplug(f);
    }

    /** Plugs {@code f} in at {@code device} (-1: the lowest free from 1); returns the device number. */
    public int plug(PciFunction f, int device) {
        Plugged p;
        synchronized (lock) {
            if (device >= DEVICES) throw new IllegalArgumentException(f.name() + ": device number " + device + " is not 0-31");
            if (device < 0) {
                device = 1;
                while (device < DEVICES && slots[device] != null) device++;
                if (device == DEVICES) throw new IllegalStateException(f.name() + ": bus 0 is full");
            } else if (slots[device] != null) {
                throw new IllegalStateException(f.name() + ": device " + device + " is taken by " + slots[device].header.function.name());
            }
            p = new Plugged(device, new PciConfigHeader(f, f.bars()));
            PciConfigHeader.State previous = departed.remove(device);
            if (previous != null) {
                p.header.restore(previous);
            } else {
                firmwareSetup(p);
            }
            slots[device] = p;
            byFunction.put(f, p);
        }
        f.attach(p);
        LOG.info("PCI 00:{}.0 {} [{}:{}] {}", String.format("%02x", device), f.name(), hex4(f.vendorId()), hex4(f.deviceId()), describe(p));
        return device;
    }

    public void unplug(PciFunction f) {
        Plugged p;
        synchronized (lock) {
            p = byFunction.remove(f);
            if (p == null) return;
            p.setInterrupt(false);
            p.gone = true;
            slots[p.device] = null;
            departed.put(p.device, p.header.save());
        }
        f.detach();
    }

    /**
     * BARs placed naturally aligned, decoding on, the Interrupt Line set: as a PC BIOS leaves them. Each device number
     * d (1-31) has its own slice of each window (1/32 of it, from slice d-1), so where a BAR lands depends only on the
     * device number, not on the order in which the components started. A BAR that does not fit its slice is left
     * unassigned (0) for the OS to place in the window.
     */
    private void firmwareSetup(Plugged p) {
        long memSlice = memSize / DEVICES, ioSlice = ioSize / DEVICES;
        int slice = Math.max(0, p.device - 1);
        long nextMemory = memBase + slice * memSlice, memLimit = nextMemory + memSlice;
        long nextIo = ioBase + slice * ioSlice, ioLimit = nextIo + ioSlice;
        int command = 0;
        for (PciBar b : p.header.function.bars()) {
            if (b.isMemory()) {
                long base = align(nextMemory, b.size());
                if (base + b.size() > memLimit) {
                    LOG.warn("PCI {}: BAR {} ({} bytes) does not fit the device's {} bytes of the memory window; left for the OS to place",
                            p.header.function.name(), b.index(), b.size(), memSlice);
                    continue;
                }
                p.header.assign(b, base);
                nextMemory = base + b.size();
                command |= PciConfigHeader.COMMAND_MEMORY;
            } else {
                long base = align(nextIo, b.size());
                if (base + b.size() > ioLimit) {
                    LOG.warn("PCI {}: I/O BAR {} ({} ports) does not fit the device's {} ports; left for the OS to place",
                            p.header.function.name(), b.index(), b.size(), ioSlice);
                    continue;
                }
                p.header.assign(b, base);
                nextIo = base + b.size();
                command |= PciConfigHeader.COMMAND_IO;
            }
        }
        p.header.setCommand(command);
        int pin = p.header.function.interruptPin();
        p.header.setInterruptLine(pin >= 1 && pin <= 4 ? isaIrq(p.device, pin) : 0xFF);
    }

    private static long align(long v, long a) {
        return (v + a - 1) & -a;
    }

    // ---- PciHost ----

    @Override public int ioWindowBase() { return ioBase; }
    @Override public int ioWindowSize() { return ioSize; }
    @Override public long memoryWindowBase() { return memBase; }
    @Override public long memoryWindowSize() { return memSize; }
    @Override public long ecamBase() { return ecamBase; }

    @Override
    public int isaIrq(int device, int pin) {
        if (pin < 1 || pin > 4) throw new IllegalArgumentException("INTx pin " + pin + " is not 1-4");
        return intxIrqs[Math.floorMod(device + pin - 1, intxIrqs.length)];
    }

    // ---- IoDevice ----

    @Override
    public List<IoRange> ranges() { return ranges; }

    @Override
    public String name() { return "pci-host-bridge"; }

    @Override
    public long read(IoRange range, long offset, int size) {
        long address = range.base() + offset;
        if (range.space() == AddressSpace.PIO && range.base() == CONFIG_ADDRESS_PORT) return readConfigPorts((int) offset, size);
        if (range.space() == AddressSpace.MMIO && ecamBase != 0 && range.base() == ecamBase) return readEcam(offset, size);
        Target t = target(range.space(), address);
        return t == null ? IoDevice.super.read(range, offset, size) : t.function().readBar(t.bar().index(), t.offset(), size);
    }

    @Override
    public void write(IoRange range, long offset, int size, long value) {
        long address = range.base() + offset;
        if (range.space() == AddressSpace.PIO && range.base() == CONFIG_ADDRESS_PORT) {
            writeConfigPorts((int) offset, size, (int) value);
            return;
        }
        if (range.space() == AddressSpace.MMIO && ecamBase != 0 && range.base() == ecamBase) {
            writeEcam(offset, size, value);
            return;
        }
        Target t = target(range.space(), address);
        if (t != null) t.function().writeBar(t.bar().index(), t.offset(), size, value);
    }

    private record Target(PciFunction function, PciBar bar, long offset) {}

    private Target target(AddressSpace space, long address) {
        synchronized (lock) {
            for (Plugged p : slots) {
                if (p == null) continue;
                for (PciBar b : p.header.function.bars()) {
                    if (b.isMemory() != (space == AddressSpace.MMIO) || !p.header.decodes(b)) continue;
                    long base = p.header.barBase(b);
                    if (base != 0 && address >= base && address - base < b.size()) return new Target(p.header.function, b, address - base);
                }
            }
        }
        return null;
    }

    private long readConfigPorts(int offset, int size) {
        long allOnes = (1L << (size * 8)) - 1;
        if (offset < 4) {
            if (offset != 0 || size != 4) return allOnes;
            synchronized (lock) {
                return configAddress & 0xFFFF_FFFFL;
            }
        }
        if (offset - 4 + size > 4) return allOnes;
        int device, register;
        synchronized (lock) {
            int a = configAddress;
            if ((a & CONFIG_ENABLE) == 0 || (a >>> 16 & 0xFF) != 0 || (a >>> 8 & 7) != 0) return allOnes;
            device = a >>> 11 & 0x1F;
            register = (a & 0xFC) + offset - 4;
        }
        return readRegister(device, register, size);
    }

    private void writeConfigPorts(int offset, int size, int value) {
        if (offset < 4) {
            if (offset == 0 && size == 4) {
                synchronized (lock) {
                    configAddress = value & 0x80FF_FFFC;
                }
            }
            return;   // byte writes to 0xCF8-0xCFB (PIIX's configuration-mechanism register) are ignored
        }
        if (offset - 4 + size > 4) return;
        int device, register;
        synchronized (lock) {
            int a = configAddress;
            if ((a & CONFIG_ENABLE) == 0 || (a >>> 16 & 0xFF) != 0 || (a >>> 8 & 7) != 0) return;
            device = a >>> 11 & 0x1F;
            register = (a & 0xFC) + offset - 4;
        }
        writeRegister(device, register, size, value);
    }

    /** ECAM (PCI Express 4.0, 7.2.2): bus 0 only, offset = device << 15 | function << 12 | register. */
    private long readEcam(long offset, int size) {
        long allOnes = size >= 8 ? -1L : (1L << (size * 8)) - 1;
        int register = (int) (offset & 0xFFF);
        if (size > 4 || (register & 3) + size > 4 || (offset >>> 12 & 7) != 0) return allOnes;
        return readRegister((int) (offset >>> 15 & 0x1F), register, size);
    }

    private void writeEcam(long offset, int size, long value) {
        int register = (int) (offset & 0xFFF);
        if (size > 4 || (register & 3) + size > 4 || (offset >>> 12 & 7) != 0) return;
        writeRegister((int) (offset >>> 15 & 0x1F), register, size, (int) value);
    }

    /**
     * A configuration read of 00:device.0; all ones when nothing is there. The extended space (0x100-0xFFF, only
     * through ECAM) reads 0: no extended capabilities. The function's own space is read outside the bridge's lock.
     */
    private long readRegister(int device, int register, int size) {
        long mask = (1L << (size * 8)) - 1;
        PciConfigHeader h;
        synchronized (lock) {
            Plugged p = slots[device];
            if (p == null) return mask;
            h = p.header;
            if (register < 0x40) return h.read(register, size) & mask;
        }
        return register < 0x100 ? h.function.readConfig(register, size) & mask : 0;
    }

    private void writeRegister(int device, int register, int size, int value) {
        PciConfigHeader h;
        synchronized (lock) {
            Plugged p = slots[device];
            if (p == null) return;
            h = p.header;
            if (register < 0x40) {
                boolean before = h.interruptOutput();
                h.write(register, size, value);
                if (before != h.interruptOutput()) wiring.change(wire(p), h.interruptOutput());
                return;
            }
        }
        if (register < 0x100) h.function.writeConfig(register, size, value);
    }

    // ---- interrupts ----

    /** Called with the lock held (order: function, bridge, controller). */
    private void driveIrq(int line, boolean level) {
        InterruptController c = interrupts.get();
        if (c != null) c.setIrq(line, level);
    }

    /**
     * The running guest's memory. The VM depends on the bus and the bus on this device, so SCR may skip binding the
     * platform as a circular reference (as for pcm.boot's PM1 device); then the service is looked up when needed.
     */
    private Optional<GuestMemory> platformMemory() {
        Platform p = platform.get();
        if (p != null) return p.memory();
        BundleContext ctx = context;
        if (ctx == null) return Optional.empty();
        try {
            ServiceReference<Platform> ref = ctx.getServiceReference(Platform.class);
            if (ref == null) return Optional.empty();
            Platform looked = ctx.getService(ref);
            try {
                return looked == null ? Optional.empty() : looked.memory();
            } finally {
                ctx.ungetService(ref);
            }
        } catch (IllegalStateException e) {   // this bundle is stopping
            return Optional.empty();
        }
    }

    /** The ISA IRQ a function's INTx pin is wired to; -1 without a pin. */
    private int wire(Plugged p) {
        int pin = p.header.function.interruptPin();
        return pin >= 1 && pin <= 4 ? isaIrq(p.device, pin) : -1;
    }

    /** True while the ISA line is asserted by some function (tests, shell). */
    public boolean lineAsserted(int line) {
        synchronized (lock) {
            return wiring.level(line);
        }
    }

    // ---- state ----

    public State save() {
        synchronized (lock) {
            Map<Integer, PciConfigHeader.State> headers = new HashMap<>();
            for (Plugged p : slots) if (p != null) headers.put(p.device, p.header.save());
            return new State(configAddress, headers);
        }
    }

    public void restore(State s) {
        synchronized (lock) {
            configAddress = s.configAddress();
            for (Plugged p : slots) {
                if (p == null || !s.headers().containsKey(p.device)) continue;
                boolean before = p.header.interruptOutput();
                p.header.restore(s.headers().get(p.device));
                if (before != p.header.interruptOutput()) wiring.change(wire(p), p.header.interruptOutput());
            }
        }
    }

    /** Device numbers and names of the plugged functions (tests, shell). */
    public List<String> describeBus() {
        List<String> out = new ArrayList<>();
        synchronized (lock) {
            for (Plugged p : slots) if (p != null) out.add(String.format("00:%02x.0 %s %s", p.device, p.header.function.name(), describe(p)));
        }
        return out;
    }

    private String describe(Plugged p) {
        StringBuilder sb = new StringBuilder();
        for (PciBar b : p.header.function.bars()) {
            sb.append(" BAR").append(b.index()).append(' ').append(b.kind()).append(" 0x").append(Long.toHexString(p.header.barBase(b)))
                .append('+').append(Long.toHexString(b.size()));
        }
        int pin = p.header.function.interruptPin();
        if (pin >= 1 && pin <= 4) sb.append(" INT").append((char) ('A' + pin - 1)).append(" IRQ ").append(isaIrq(p.device, pin));
        return sb.toString().trim();
    }

    private static String hex4(int v) {
        return String.format("%04x", v & 0xFFFF);
    }

    /** A plugged function's slot: its INTx wire and DMA. */
    private final class Plugged implements PciSlot {
        final int device;
        final PciConfigHeader header;
        boolean gone;

        Plugged(int device, PciConfigHeader header) {
            this.device = device;
            this.header = header;
        }

        @Override
        public int device() { return device; }

        @Override
        public void setInterrupt(boolean asserted) {
            synchronized (lock) {
                if (gone) return;
                boolean before = header.interruptOutput();
                header.setInterruptAsserted(asserted);
                if (before != header.interruptOutput()) wiring.change(wire(this), header.interruptOutput());
            }
        }

        @Override
        public Optional<GuestMemory> dma() {
            boolean master;
            synchronized (lock) {
                master = !gone && (header.command() & PciConfigHeader.COMMAND_BUS_MASTER) != 0;
            }
            return master ? platformMemory() : Optional.empty();
        }
    }
}
