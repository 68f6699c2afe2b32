package pcm.devices.internal.pci;

import java.lang.annotation.Annotation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import pcm.core.api.bus.AddressSpace;
import pcm.core.api.bus.IoRange;
import pcm.core.api.irq.InterruptController;

/** A bridge with the default configuration, and the accesses a driver makes to it. */
public final class PciTesting {

    private PciTesting() {}

    public static PciHostBridge.Config config() {
        return config(0xE000_0000L, 0xC000_0000L);
    }

    public static PciHostBridge.Config config(long ecamBase, long memoryWindowBase) {
        return new PciHostBridge.Config() {
            @Override public Class<? extends Annotation> annotationType() { return PciHostBridge.Config.class; }
            @Override public int ioWindowBase() { return 0xC000; }
            @Override public int ioWindowSize() { return 0x4000; }
            @Override public long memoryWindowBase() { return memoryWindowBase; }
            @Override public long ecamBase() { return ecamBase; }
            @Override public long memoryWindowSize() { return 0x2000_0000L; }
            @Override public int[] intxIrqs() { return new int[] {10, 11}; }
        };
    }

    public static PciHostBridge bridge() {
        return new PciHostBridge(config());
    }

    /** Binds what DS would bind. */
    public static void wire(PciHostBridge b, pcm.core.api.vm.Platform platform, InterruptController controller) {
        b.bindPlatform(platform);
        b.bindInterruptController(controller);
    }

    static IoRange range(PciHostBridge b, AddressSpace space, long address) {
        for (IoRange r : b.ranges()) if (r.space() == space && r.contains(address)) return r;
        throw new AssertionError("bridge does not claim " + space + " 0x" + Long.toHexString(address));
    }

    public static long in(PciHostBridge b, int port, int size) {
        IoRange r = range(b, AddressSpace.PIO, port);
        return b.read(r, port - r.base(), size);
    }

    public static void out(PciHostBridge b, int port, int size, long value) {
        IoRange r = range(b, AddressSpace.PIO, port);
        b.write(r, port - r.base(), size, value);
    }

    public static long mmioRead(PciHostBridge b, long address, int size) {
        IoRange r = range(b, AddressSpace.MMIO, address);
        return b.read(r, address - r.base(), size);
    }

    public static void mmioWrite(PciHostBridge b, long address, int size, long value) {
        IoRange r = range(b, AddressSpace.MMIO, address);
        b.write(r, address - r.base(), size, value);
    }

    static int address(int bus, int device, int function, int register) {
        return 0x8000_0000 | bus << 16 | device << 11 | function << 8 | register & 0xFC;
    }

    /** Configuration read of bus 0 through 0xCF8/0xCFC, any width at any offset inside the dword. */
    public static long cfgRead(PciHostBridge b, int device, int register, int size) {
        out(b, 0xCF8, 4, address(0, device, 0, register));
        return in(b, 0xCFC + (register & 3), size);
    }

    public static void cfgWrite(PciHostBridge b, int device, int register, int size, long value) {
        out(b, 0xCF8, 4, address(0, device, 0, register));
        out(b, 0xCFC + (register & 3), size, value);
    }

    /** Records the level of every ISA line. */
    public static final class Lines implements InterruptController {
        public final Map<Integer, Boolean> level = new HashMap<>();
        public final List<String> changes = new ArrayList<>();

        @Override public synchronized void setIrq(int line, boolean high) {
            level.put(line, high);
            changes.add(line + (high ? "+" : "-"));
        }
        @Override public boolean hasPendingInterrupt() { return false; }
        @Override public int acknowledge() { return -1; }
        @Override public void setPendingListener(Runnable listener) { }

        public synchronized boolean high(int line) { return level.getOrDefault(line, false); }
    }
}
