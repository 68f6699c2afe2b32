package pcm.devices.internal.virtio;

import static pcm.devices.internal.pci.PciTesting.cfgRead;
import static pcm.devices.internal.pci.PciTesting.cfgWrite;
import static pcm.devices.internal.pci.PciTesting.mmioRead;
import static pcm.devices.internal.pci.PciTesting.mmioWrite;

import pcm.devices.internal.FakePlatform;
import pcm.devices.internal.HeapMemory;
import pcm.devices.internal.pci.PciHostBridge;
import pcm.devices.internal.pci.PciTesting;

/**
 * What Linux's virtio_pci_modern does, scripted: find the vendor capabilities through configuration space, negotiate
 * features, lay out queue 0 in heap RAM, kick it, read the ISR. Requests are offered as descriptor chains.
 */
final class VirtioDriver {

    static final long DESC = 0x1000, AVAIL = 0x3000, USED = 0x4000;

    final PciHostBridge bridge = PciTesting.bridge();
    final PciTesting.Lines lines = new PciTesting.Lines();
    final FakePlatform platform = new FakePlatform();
    final HeapMemory ram = new HeapMemory(0x40000);
    final VirtioPciFunction device;
    final int dev;
    long common, notify, isr, deviceCfg;
    int notifyMultiplier;
    int availIdx, nextDesc;

    VirtioDriver(VirtioPciFunction device) {
        this.device = device;
        platform.memory = ram;
        PciTesting.wire(bridge, platform, lines);
        dev = bridge.plug(device, -1);
        cfgWrite(bridge, dev, 0x04, 2, 0x0006);                       // memory + bus master (pci_enable_device, pci_set_master)
        long bar0 = cfgRead(bridge, dev, 0x10, 4) & ~15L;
        int cap = (int) cfgRead(bridge, dev, 0x34, 1);
        while (cap != 0) {
            int vndr = (int) cfgRead(bridge, dev, cap, 1);
            int type = (int) cfgRead(bridge, dev, cap + 3, 1);
            long offset = cfgRead(bridge, dev, cap + 8, 4);
            if (vndr == 0x09) {
                switch (type) {
                    case 1 -> common = bar0 + offset;
                    case 2 -> {
                        notify = bar0 + offset;
                        notifyMultiplier = (int) cfgRead(bridge, dev, cap + 16, 4);
                    }
                    case 3 -> isr = bar0 + offset;
                    case 4 -> deviceCfg = bar0 + offset;
                    default -> { }
                }
            }
            cap = (int) cfgRead(bridge, dev, cap + 1, 1);
        }
    }

    int irq() { return bridge.isaIrq(dev, 1); }

    long read(long address, int size) { return mmioRead(bridge, address, size); }

    void write(long address, int size, long value) { mmioWrite(bridge, address, size, value); }

    int status() { return (int) read(common + 0x14, 1); }

    long deviceFeatures() {
        write(common, 4, 0);
        long low = read(common + 0x04, 4);
        write(common, 4, 1);
        return low | read(common + 0x04, 4) << 32;
    }

    /** Reset, ACKNOWLEDGE, DRIVER, features, FEATURES_OK; returns whether the device kept FEATURES_OK. */
    boolean negotiate(long features) {
        write(common + 0x14, 1, 0);
        write(common + 0x14, 1, VirtioPciFunction.S_ACKNOWLEDGE);
        write(common + 0x14, 1, VirtioPciFunction.S_ACKNOWLEDGE | VirtioPciFunction.S_DRIVER);
        write(common + 0x08, 4, 0);
        write(common + 0x0C, 4, features);
        write(common + 0x08, 4, 1);
        write(common + 0x0C, 4, features >>> 32);
        write(common + 0x14, 1, status() | VirtioPciFunction.S_FEATURES_OK);
        return (status() & VirtioPciFunction.S_FEATURES_OK) != 0;
    }

    /** Queue 0 at DESC/AVAIL/USED with {@code size} entries, enabled; then DRIVER_OK. */
    void setUpQueue(int size) {
        write(common + 0x16, 2, 0);
        write(common + 0x18, 2, size);
        write(common + 0x20, 4, DESC);
        write(common + 0x24, 4, 0);
        write(common + 0x28, 4, AVAIL);
        write(common + 0x2C, 4, 0);
        write(common + 0x30, 4, USED);
        write(common + 0x34, 4, 0);
        write(common + 0x1C, 2, 1);
        write(common + 0x14, 1, status() | VirtioPciFunction.S_DRIVER_OK);
    }

    void start(long features, int queueSize) {
        if (!negotiate(features)) throw new AssertionError("features refused");
        setUpQueue(queueSize);
    }

    /** Writes a descriptor; returns its index. */
    int desc(long addr, int len, int flags, int next) {
        int i = nextDesc++;
        long d = DESC + 16L * i;
        ram.put(d, 8, addr);
        ram.put(d + 8, 4, len);
        ram.put(d + 12, 2, flags);
        ram.put(d + 14, 2, next);
        return i;
    }

    /** A chain of buffers: {addr, len, writable(0/1)} each; returns the head. */
    int chain(long[]... buffers) {
        int first = nextDesc;
        for (int k = 0; k < buffers.length; k++) {
            boolean last = k == buffers.length - 1;
            int flags = (buffers[k][2] != 0 ? Virtqueue.DESC_F_WRITE : 0) | (last ? 0 : Virtqueue.DESC_F_NEXT);
            desc(buffers[k][0], (int) buffers[k][1], flags, last ? 0 : first + k + 1);
        }
        return first;
    }

    int queueSize() {
        write(common + 0x16, 2, 0);
        return (int) read(common + 0x18, 2);
    }

    void offerAndKick(int head) {
        int size = queueSize();
        ram.put(AVAIL + 4 + 2L * (availIdx % size), 2, head);
        availIdx = (availIdx + 1) & 0xFFFF;
        ram.put(AVAIL + 2, 2, availIdx);
        write(common + 0x16, 2, 0);
        long off = read(common + 0x1E, 2);
        write(notify + off * notifyMultiplier, 2, 0);
    }

    int usedIdx() { return (int) ram.get(USED + 2, 2); }

    long usedLen(int n) { return ram.get(USED + 4 + 8L * n + 4, 4); }

    int readIsr() { return (int) read(isr, 1); }
}
