package pcm.devices.internal.virtio;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.core.api.memory.GuestMemory;
import pcm.devices.api.pci.PciBar;
import pcm.devices.api.pci.PciFunction;
import pcm.devices.api.pci.PciSlot;

/**
 * The virtio 1.x PCI transport (virtio 1.2, 4.1), modern only: vendor 0x1AF4, device 0x1040 + type, revision 1, one
 * 16 KiB memory BAR holding the common configuration (0x0000), the ISR status (0x1000), the device configuration
 * (0x2000) and the notification area (0x3000, 4 bytes per queue), described by vendor-specific capabilities at
 * 0x40, plus the PCI configuration access capability. Interrupts are INTx only: MSI-X needs the APIC platform, so
 * the MSI-X vector registers read VIRTIO_MSI_NO_VECTOR and Linux falls back to its shared INTx handler.
 * <p>
 * A notification runs the queue at once, on the vCPU thread that wrote it, so every DMA happens at an exit, at an
 * exact instruction count the recorder can log (a device with host-side input, such as a console's receive queue,
 * would need a way to run on the vCPU thread first). Errors in what the driver programmed
 * set DEVICE_NEEDS_RESET (and, after DRIVER_OK, raise a configuration-change interrupt), as the specification
 * says; the device then ignores the queues until the driver resets it. Subclasses are the device types.
 */
public abstract class VirtioPciFunction implements PciFunction {

    public static final int VENDOR = 0x1AF4;
    public static final long F_INDIRECT_DESC = 1L << 28, F_VERSION_1 = 1L << 32;
    public static final int S_ACKNOWLEDGE = 1, S_DRIVER = 2, S_DRIVER_OK = 4, S_FEATURES_OK = 8, S_NEEDS_RESET = 0x40, S_FAILED = 0x80;
    public static final int NO_VECTOR = 0xFFFF;

    static final int BAR_SIZE = 0x4000;
    static final int COMMON = 0x0000, COMMON_LENGTH = 0x40, ISR = 0x1000, DEVICE = 0x2000, NOTIFY = 0x3000, NOTIFY_MULTIPLIER = 4;
    static final int CAP_COMMON = 0x40, CAP_NOTIFY = 0x50, CAP_ISR = 0x64, CAP_DEVICE = 0x74, CAP_PCI_CFG = 0x84;

    /** What a save holds (the device type's own state is saved by the subclass). */
    public record State(int status, int deviceFeatureSelect, int driverFeatureSelect, long driverFeatures, int queueSelect, int isr,
                        List<Virtqueue.State> queues, int pciCfgBar, int pciCfgOffset, int pciCfgLength) {
        public State {
            queues = List.copyOf(queues);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(VirtioPciFunction.class);

    protected final Object lock = new Object();
    private final byte[] capabilities = new byte[256];
    private final AtomicLong errors = new AtomicLong();
    private final AtomicLong notifications = new AtomicLong();
    private Virtqueue[] queues = new Virtqueue[0];
    private volatile PciSlot slot;
    private int status, deviceFeatureSelect, driverFeatureSelect, queueSelect, isr;
    private long driverFeatures;
    private int pciCfgBar, pciCfgOffset, pciCfgLength;
    private volatile String lastError = "";

    // ---- what a device type says ----

    /** The virtio device ID (1 net, 2 block, 3 console, 4 entropy, ...). */
    protected abstract int virtioDeviceId();

    /** Device-specific feature bits offered (VERSION_1 and INDIRECT_DESC are added). */
    protected abstract long deviceFeatures();

    /** The maximum size of each queue; the array's length is the number of queues. */
    protected abstract int[] queueSizes();

    /** A read of the device configuration space; bytes beyond it read 0. */
    protected abstract long readDeviceConfig(int offset, int size);

    /** Runs one chain of queue {@code queue}; returns the used length. Called with {@link #lock} held. */
    protected abstract int process(int queue, DescriptorChain chain) throws VirtioException;

    /** The device was reset by the driver; called with {@link #lock} held. */
    protected void resetDevice() {}

    // ---- construction ----

    protected VirtioPciFunction() {
        cap(CAP_COMMON, CAP_NOTIFY, 16, 1, COMMON, COMMON_LENGTH);
        cap(CAP_NOTIFY, CAP_ISR, 20, 2, NOTIFY, 0x1000);
        put32(capabilities, CAP_NOTIFY + 16, NOTIFY_MULTIPLIER);
        cap(CAP_ISR, CAP_DEVICE, 16, 3, ISR, 4);
        cap(CAP_DEVICE, CAP_PCI_CFG, 16, 4, DEVICE, 0x1000);
        cap(CAP_PCI_CFG, 0, 20, 5, 0, 0);
    }

    /** Call once the subclass knows its queue sizes (its activation). */
    protected final void createQueues() {
        synchronized (lock) {
            int[] sizes = queueSizes();
            queues = new Virtqueue[sizes.length];
            for (int i = 0; i < sizes.length; i++) queues[i] = new Virtqueue(sizes[i]);
        }
    }

    private void cap(int at, int next, int length, int type, int offset, int size) {
        capabilities[at] = 0x09;                  // vendor-specific
        capabilities[at + 1] = (byte) next;
        capabilities[at + 2] = (byte) length;
        capabilities[at + 3] = (byte) type;
        capabilities[at + 4] = 0;                 // BAR 0
        put32(capabilities, at + 8, offset);
        put32(capabilities, at + 12, size);
    }

    // ---- PciFunction ----

    @Override public final int vendorId() { return VENDOR; }
    @Override public final int deviceId() { return 0x1040 + virtioDeviceId(); }
    @Override public final int revisionId() { return 1; }
    @Override public int subsystemId() { return 0x1100; }   // as QEMU: >= 0x40 marks a modern device to old drivers
    @Override public final List<PciBar> bars() { return List.of(new PciBar(0, PciBar.Kind.MEMORY32, BAR_SIZE)); }
    @Override public final int interruptPin() { return 1; }
    @Override public final int capabilitiesPointer() { return CAP_COMMON; }

    @Override
    public void attach(PciSlot s) {
        slot = s;
        synchronized (lock) {
            s.setInterrupt(isr != 0);
        }
    }

    @Override
    public void detach() {
        slot = null;
    }

    @Override
    public int readConfig(int offset, int size) {
        if (offset + size > 256) return 0;
        if (offset >= CAP_PCI_CFG + 16 && offset < CAP_PCI_CFG + 20) {
            // pci_cfg_data: a window onto the BAR at the capability's offset and length
            synchronized (lock) {
                if (pciCfgBar != 0 || !(pciCfgLength == 1 || pciCfgLength == 2 || pciCfgLength == 4)) return 0;
            }
            return (int) readBar(0, pciCfgOffset, pciCfgLength);
        }
        synchronized (lock) {
            syncPciCfgFields();
            return (int) get(capabilities, offset, size);
        }
    }

    @Override
    public void writeConfig(int offset, int size, int value) {
        int at = offset - CAP_PCI_CFG;
        if (at >= 16 && at < 20) {
            int bar, off, len;
            synchronized (lock) {
                bar = pciCfgBar;
                off = pciCfgOffset;
                len = pciCfgLength;
            }
            if (bar == 0 && (len == 1 || len == 2 || len == 4)) writeBar(0, off, len, value);
            return;
        }
        synchronized (lock) {
            if (at == 4 && size == 1) pciCfgBar = value & 0xFF;
            else if (at == 8 && size == 4) pciCfgOffset = value;
            else if (at == 12 && size == 4) pciCfgLength = value;
        }
    }

    private void syncPciCfgFields() {
        capabilities[CAP_PCI_CFG + 4] = (byte) pciCfgBar;
        put32(capabilities, CAP_PCI_CFG + 8, pciCfgOffset);
        put32(capabilities, CAP_PCI_CFG + 12, pciCfgLength);
    }

    @Override
    public long readBar(int bar, long offset, int size) {
        synchronized (lock) {
            if (offset >= COMMON && offset + size <= COMMON + COMMON_LENGTH) return readCommon((int) offset, size);
            if (offset >= ISR && offset < ISR + 4) return readIsr();
            if (offset >= DEVICE && offset + size <= DEVICE + 0x1000) return readDeviceConfig((int) (offset - DEVICE), size);
            return 0;
        }
    }

    @Override
    public void writeBar(int bar, long offset, int size, long value) {
        synchronized (lock) {
            if (offset >= COMMON && offset + size <= COMMON + COMMON_LENGTH) writeCommon((int) offset, size, value);
            else if (offset >= NOTIFY && offset < NOTIFY + 0x1000) notifyQueue((int) ((offset - NOTIFY) / NOTIFY_MULTIPLIER));
            // ISR and the device configuration are read-only here
        }
    }

    // ---- common configuration (virtio 1.2, 4.1.4.3) ----

    private long readCommon(int offset, int size) {
        long v = 0;
        for (int i = 0; i < size; i++) v |= (long) commonByte(offset + i) << (8 * i);
        return v;
    }

    private int commonByte(int offset) {
        Virtqueue q = selectedQueue();
        long field;
        int base;
        switch (offset & ~1) {
            case 0x00, 0x02 -> { field = deviceFeatureSelect; base = 0x00; }
            case 0x04, 0x06 -> { field = offeredFeatures() >>> (deviceFeatureSelect == 1 ? 32 : 0) & (deviceFeatureSelect > 1 ? 0 : 0xFFFF_FFFFL); base = 0x04; }
            case 0x08, 0x0A -> { field = driverFeatureSelect; base = 0x08; }
            case 0x0C, 0x0E -> { field = driverFeatureSelect > 1 ? 0 : driverFeatures >>> (driverFeatureSelect == 1 ? 32 : 0) & 0xFFFF_FFFFL; base = 0x0C; }
            case 0x10 -> { field = NO_VECTOR; base = 0x10; }                // config_msix_vector
            case 0x12 -> { field = queues.length; base = 0x12; }
            case 0x14 -> { field = status | 0 << 8; base = 0x14; }          // device_status, config_generation 0
            case 0x16 -> { field = queueSelect; base = 0x16; }
            case 0x18 -> { field = q == null ? 0 : q.size; base = 0x18; }
            case 0x1A -> { field = NO_VECTOR; base = 0x1A; }                // queue_msix_vector
            case 0x1C -> { field = q != null && q.enabled ? 1 : 0; base = 0x1C; }
            case 0x1E -> { field = q == null ? 0 : queueSelect; base = 0x1E; } // queue_notify_off
            case 0x20, 0x22, 0x24, 0x26 -> { field = q == null ? 0 : q.desc; base = 0x20; }
            case 0x28, 0x2A, 0x2C, 0x2E -> { field = q == null ? 0 : q.driver; base = 0x28; }
            case 0x30, 0x32, 0x34, 0x36 -> { field = q == null ? 0 : q.device; base = 0x30; }
            default -> { field = 0; base = offset; }                        // queue_notify_data, queue_reset: not offered
        }
        return (int) (field >>> (8 * (offset - base))) & 0xFF;
    }

    private Virtqueue selectedQueue() {
        return queueSelect < queues.length ? queues[queueSelect] : null;
    }

    private void writeCommon(int offset, int size, long value) {
        Virtqueue q = selectedQueue();
        int v32 = (int) value;
        switch (offset) {
            case 0x00 -> deviceFeatureSelect = v32;
            case 0x08 -> driverFeatureSelect = v32;
            case 0x0C -> {
                if (driverFeatureSelect <= 1 && (status & S_FEATURES_OK) == 0) {
                    int shift = driverFeatureSelect == 1 ? 32 : 0;
                    driverFeatures = driverFeatures & ~(0xFFFF_FFFFL << shift) | (value & 0xFFFF_FFFFL) << shift;
                }
            }
            case 0x14 -> writeStatus(v32 & 0xFF);
            case 0x16 -> queueSelect = v32 & 0xFFFF;
            case 0x18 -> { if (q != null && !q.enabled) q.size = v32 & 0xFFFF; }
            case 0x1C -> { if (q != null && (v32 & 0xFFFF) == 1) enableQueue(q); }
            case 0x20, 0x24, 0x28, 0x2C, 0x30, 0x34 -> { if (q != null && !q.enabled) setAddress(q, offset, size, value); }
            default -> { }   // MSI-X vectors (none), read-only fields
        }
    }

    private static void setAddress(Virtqueue q, int offset, int size, long value) {
        int field = (offset - 0x20) / 8;
        boolean high = (offset & 4) != 0;
        long current = field == 0 ? q.desc : field == 1 ? q.driver : q.device;
        long updated;
        if (size == 8 && !high) updated = value;
        else if (high) updated = current & 0xFFFF_FFFFL | (value & 0xFFFF_FFFFL) << 32;
        else updated = current & ~0xFFFF_FFFFL | value & 0xFFFF_FFFFL;
        if (field == 0) q.desc = updated;
        else if (field == 1) q.driver = updated;
        else q.device = updated;
    }

    private long offeredFeatures() {
        return deviceFeatures() | F_VERSION_1 | F_INDIRECT_DESC;
    }

    private void writeStatus(int value) {
        if (value == 0) {
            reset();
            return;
        }
        int accepted = value;
        if ((value & S_FEATURES_OK) != 0 && (status & S_FEATURES_OK) == 0) {
            long unknown = driverFeatures & ~offeredFeatures();
            if (unknown != 0 || (driverFeatures & F_VERSION_1) == 0) {
                accepted &= ~S_FEATURES_OK;                                 // the driver reads it back and gives up
                LOG.warn("{}: features 0x{} refused ({})", name(), Long.toHexString(driverFeatures),
                        unknown != 0 ? "not offered: 0x" + Long.toHexString(unknown) : "no VIRTIO_F_VERSION_1");
            }
        }
        status = accepted | status & S_NEEDS_RESET;
    }

    private void reset() {
        status = 0;
        deviceFeatureSelect = driverFeatureSelect = queueSelect = 0;
        driverFeatures = 0;
        for (Virtqueue q : queues) q.reset();
        setIsr(0);
        resetDevice();
    }

    private void enableQueue(Virtqueue q) {
        Optional<GuestMemory> m = dma();
        if (m.isPresent()) {
            try {
                q.checkLayout(m.get());
            } catch (VirtioException e) {
                fail("queue " + queueSelect + ": " + e.getMessage());
                return;
            }
        }
        q.enabled = true;
    }

    // ---- notification, ISR, errors ----

    private void notifyQueue(int index) {
        notifications.incrementAndGet();
        if (index >= queues.length || (status & S_NEEDS_RESET) != 0 || (status & S_FEATURES_OK) == 0) return;
        Virtqueue q = queues[index];
        if (!q.enabled) return;
        Optional<GuestMemory> m = dma();
        if (m.isEmpty()) return;
        try {
            int used = q.drain(m.get(), (driverFeatures & F_INDIRECT_DESC) != 0, chain -> process(index, chain));
            if (used > 0 && !q.interruptSuppressed(m.get())) setIsr(isr | 1);
        } catch (VirtioException e) {
            fail("queue " + index + ": " + e.getMessage());
        } catch (RuntimeException e) {
            // a fault of this device's own code: the guest sees a broken device, the VMM goes on
            LOG.error("{}: queue {} failed", name(), index, e);
            fail("queue " + index + ": internal error " + e);
        }
    }

    private Optional<GuestMemory> dma() {
        PciSlot s = slot;
        return s == null ? Optional.empty() : s.dma();
    }

    /** DEVICE_NEEDS_RESET, and a configuration-change interrupt once the driver is running (virtio 1.2, 2.1.2). */
    private void fail(String why) {
        lastError = why;
        if (errors.getAndIncrement() < 10) LOG.warn("{}: DEVICE_NEEDS_RESET: {}", name(), why);
        status |= S_NEEDS_RESET;
        if ((status & S_DRIVER_OK) != 0) setIsr(isr | 2);
    }

    private int readIsr() {
        int v = isr;
        setIsr(0);
        return v;
    }

    private void setIsr(int value) {
        isr = value;
        PciSlot s = slot;
        if (s != null) s.setInterrupt(isr != 0);
    }

    // ---- observation and state ----

    public final int status() {
        synchronized (lock) {
            return status;
        }
    }

    public final long errors() { return errors.get(); }

    public final long notifications() { return notifications.get(); }

    /** The last error that set DEVICE_NEEDS_RESET ("" if none). */
    public final String lastError() { return lastError; }

    public State saveTransport() {
        synchronized (lock) {
            List<Virtqueue.State> qs = new ArrayList<>();
            for (Virtqueue q : queues) qs.add(q.save());
            return new State(status, deviceFeatureSelect, driverFeatureSelect, driverFeatures, queueSelect, isr, qs, pciCfgBar, pciCfgOffset, pciCfgLength);
        }
    }

    public void restoreTransport(State s) {
        synchronized (lock) {
            if (s.queues().size() != queues.length) {
                throw new IllegalArgumentException(name() + ": saved state has " + s.queues().size() + " queues, this device " + queues.length);
            }
            status = s.status();
            deviceFeatureSelect = s.deviceFeatureSelect();
            driverFeatureSelect = s.driverFeatureSelect();
            driverFeatures = s.driverFeatures();
            queueSelect = s.queueSelect();
            for (int i = 0; i < queues.length; i++) queues[i].restore(s.queues().get(i));
            pciCfgBar = s.pciCfgBar();
            pciCfgOffset = s.pciCfgOffset();
            pciCfgLength = s.pciCfgLength();
            setIsr(s.isr());
        }
    }

    static void put32(byte[] b, int at, int v) {
        for (int i = 0; i < 4; i++) b[at + i] = (byte) (v >>> (8 * i));
    }

    static long get(byte[] b, int at, int size) {
        long v = 0;
        for (int i = 0; i < size; i++) v |= (b[at + i] & 0xFFL) << (8 * i);
        return v;
    }

    /** Little-endian bytes of {@code value} at {@code offset} of a configuration structure of {@code length} bytes. */
    protected static long configBytes(long value, int length, int offset, int size) {
        long v = 0;
        for (int i = 0; i < size; i++) {
            int at = offset + i;
            if (at < length) v |= (value >>> (8 * at) & 0xFF) << (8 * i);
        }
        return v;
    }
}
