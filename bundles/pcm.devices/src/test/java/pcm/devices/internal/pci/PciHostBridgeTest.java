package pcm.devices.internal.pci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pcm.devices.internal.pci.PciTesting.cfgRead;
import static pcm.devices.internal.pci.PciTesting.cfgWrite;
import static pcm.devices.internal.pci.PciTesting.in;
import static pcm.devices.internal.pci.PciTesting.mmioRead;
import static pcm.devices.internal.pci.PciTesting.mmioWrite;
import static pcm.devices.internal.pci.PciTesting.out;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import pcm.core.api.bus.AddressSpace;
import pcm.core.api.bus.IoRange;
import pcm.devices.api.pci.PciBar;
import pcm.devices.api.pci.PciFunction;
import pcm.devices.api.pci.PciSlot;

class PciHostBridgeTest {

    /** A function with one BAR of each kind that records BAR accesses. */
    static class TestFunction implements PciFunction {
        final List<String> accesses = new ArrayList<>();
        PciSlot slot;
        int pin = 1;

        @Override public int vendorId() { return 0x1234; }
        @Override public int deviceId() { return 0x5678; }
        @Override public int classCode() { return 0x0280_00; }
        @Override public int revisionId() { return 3; }
        @Override public List<PciBar> bars() {
            return List.of(new PciBar(0, PciBar.Kind.MEMORY32, 0x4000), new PciBar(1, PciBar.Kind.IO, 0x20),
                    new PciBar(2, PciBar.Kind.MEMORY64, 0x10_0000));
        }
        @Override public int interruptPin() { return pin; }
        @Override public int capabilitiesPointer() { return 0x40; }
        @Override public int readConfig(int offset, int size) { return offset == 0x40 ? 0x0009 : 0; }
        @Override public long readBar(int bar, long offset, int size) {
            accesses.add("r" + bar + "@" + Long.toHexString(offset) + "/" + size);
            return 0xABCD;
        }
        @Override public void writeBar(int bar, long offset, int size, long value) {
            accesses.add("w" + bar + "@" + Long.toHexString(offset) + "/" + size + "=" + Long.toHexString(value));
        }
        @Override public void attach(PciSlot s) { slot = s; }
        @Override public void detach() { slot = null; }
    }

    @Test
    void theAddressRegisterTakesOnlyDwordsAndReadsBack() {
        PciHostBridge b = PciTesting.bridge();
        out(b, 0xCF8, 4, 0x8000_1234L);
        assertEquals(0x8000_1234L, in(b, 0xCF8, 4));
        out(b, 0xCFB, 1, 0x01);                                  // Linux's type-1 probe writes PIIX's byte register first
        assertEquals(0x8000_1234L, in(b, 0xCF8, 4));
        out(b, 0xCF8, 4, 0x8000_0003L);                          // the two low bits are not stored
        assertEquals(0x8000_0000L, in(b, 0xCF8, 4));
        assertEquals(0xFF, in(b, 0xCF9, 1));
    }

    @Test
    void theHostBridgeIsDevice0WithHostBridgeClass() {
        PciHostBridge b = PciTesting.bridge();
        assertEquals(0x0008_1B36L, cfgRead(b, 0, 0x00, 4));
        assertEquals(0x06, cfgRead(b, 0, 0x0B, 1));
        assertEquals(0x00, cfgRead(b, 0, 0x0A, 1));
        assertEquals(0x00, cfgRead(b, 0, 0x0E, 1));              // header type 0, single function
    }

    @Test
    void absentDevicesFunctionsAndBusesReadAllOnes() {
        PciHostBridge b = PciTesting.bridge();
        assertEquals(0xFFFF, cfgRead(b, 5, 0x00, 2));
        assertEquals(0xFFFF_FFFFL, cfgRead(b, 31, 0x00, 4));
        out(b, 0xCF8, 4, PciTesting.address(1, 0, 0, 0));
        assertEquals(0xFFFF_FFFFL, in(b, 0xCFC, 4));
        out(b, 0xCF8, 4, PciTesting.address(0, 0, 1, 0));
        assertEquals(0xFFFF, in(b, 0xCFC, 2));
        out(b, 0xCF8, 4, 0x0000_0000L);                          // enable bit clear
        assertEquals(0xFFFF_FFFFL, in(b, 0xCFC, 4));
        cfgWrite(b, 7, 0x04, 2, 0xFFFF);                         // writes to nothing go nowhere
        assertEquals(0xFFFF, cfgRead(b, 7, 0x04, 2));
    }

    @Test
    void byteWordAndDwordAccessesSeeTheSameRegisters() {
        PciHostBridge b = PciTesting.bridge();
        int dev = b.plug(new TestFunction(), -1);
        assertEquals(1, dev);
        assertEquals(0x5678_1234L, cfgRead(b, dev, 0x00, 4));
        assertEquals(0x34, cfgRead(b, dev, 0x00, 1));
        assertEquals(0x12, cfgRead(b, dev, 0x01, 1));
        assertEquals(0x5678, cfgRead(b, dev, 0x02, 2));
        assertEquals(0x0280_0003L, cfgRead(b, dev, 0x08, 4));
        assertEquals(0x10, cfgRead(b, dev, 0x06, 1) & 0x10, "capabilities list bit");
        assertEquals(0x40, cfgRead(b, dev, 0x34, 1));
        assertEquals(0x09, cfgRead(b, dev, 0x40, 1), "device-specific space goes to the function");
        cfgWrite(b, dev, 0x0C, 1, 0x10);                         // cache line size, byte write
        cfgWrite(b, dev, 0x0D, 1, 0x40);                         // latency timer, the next byte
        assertEquals(0x4010, cfgRead(b, dev, 0x0C, 2));
        cfgWrite(b, dev, 0x04, 1, 0x07);                         // command low byte: IO, memory, bus master
        assertEquals(0x07, cfgRead(b, dev, 0x04, 2));
        cfgWrite(b, dev, 0x00, 4, 0);                            // IDs are read-only
        assertEquals(0x5678_1234L, cfgRead(b, dev, 0x00, 4));
    }

    @Test
    void barSizingReadsBackTheSizeMaskAndFirmwarePlacedThemAligned() {
        PciHostBridge b = PciTesting.bridge();
        int dev = b.plug(new TestFunction(), -1);
        long bar0 = cfgRead(b, dev, 0x10, 4), bar1 = cfgRead(b, dev, 0x14, 4), bar2 = cfgRead(b, dev, 0x18, 4), bar3 = cfgRead(b, dev, 0x1C, 4);
        assertEquals(0xC000_0000L, bar0, "BAR0 first in the memory window");
        assertEquals(0xC001, bar1, "I/O BAR in the I/O window, bit 0 set");
        assertEquals(0xC010_0004L, bar2, "64-bit BAR aligned to its 1 MiB size");
        assertEquals(0, bar3);
        assertEquals(0x0003, cfgRead(b, dev, 0x04, 2) & 0x7, "firmware turned memory and I/O decoding on");
        assertEquals(b.isaIrq(dev, 1), cfgRead(b, dev, 0x3C, 1), "interrupt line preset");
        assertEquals(1, cfgRead(b, dev, 0x3D, 1), "INTA");

        for (int r = 0x10; r <= 0x24; r += 4) cfgWrite(b, dev, r, 4, 0xFFFF_FFFFL);
        assertEquals(0xFFFF_C000L, cfgRead(b, dev, 0x10, 4));
        assertEquals(0xFFFF_FFE1L, cfgRead(b, dev, 0x14, 4));
        assertEquals(0xFFF0_0004L, cfgRead(b, dev, 0x18, 4));
        assertEquals(0xFFFF_FFFFL, cfgRead(b, dev, 0x1C, 4));
        assertEquals(0, cfgRead(b, dev, 0x20, 4), "unimplemented BARs stay 0");
        assertEquals(0, cfgRead(b, dev, 0x24, 4));
        cfgWrite(b, dev, 0x30, 4, 0xFFFF_FFFFL);
        assertEquals(0, cfgRead(b, dev, 0x30, 4), "no expansion ROM");
    }

    @Test
    void barAccessesReachTheFunctionWhereverTheGuestPutsThem() {
        PciHostBridge b = PciTesting.bridge();
        TestFunction f = new TestFunction();
        int dev = b.plug(f, 3);
        assertEquals(0xC200_0000L, cfgRead(b, dev, 0x10, 4), "device 3's slice of the window: 2 x 16 MiB in");
        assertEquals(0xC401, cfgRead(b, dev, 0x14, 4), "and of the I/O window: 2 x 0x200 in");
        assertEquals(0xABCD, mmioRead(b, 0xC200_0010L, 4));
        mmioWrite(b, 0xC200_3FFCL, 2, 0x55);
        assertEquals(0xABCD, in(b, 0xC405, 1));
        assertEquals(List.of("r0@10/4", "w0@3ffc/2=55", "r1@5/1"), f.accesses);
        cfgWrite(b, dev, 0x10, 4, 0xC800_0000L);                  // the OS moves BAR0
        assertEquals(0xFFFF_FFFFL, mmioRead(b, 0xC200_0010L, 4), "old place: open bus");
        assertEquals(0xABCD, mmioRead(b, 0xC800_0010L, 4));
        cfgWrite(b, dev, 0x04, 2, 0x0001);                         // memory decoding off
        assertEquals(0xFFFF_FFFFL, mmioRead(b, 0xC800_0010L, 4));
        assertEquals(0xABCD, in(b, 0xC400, 4), "I/O still on");
    }

    @Test
    void placementDependsOnTheDeviceNumberNotThePlugOrder() {
        PciHostBridge first = PciTesting.bridge(), second = PciTesting.bridge();
        first.plug(new TestFunction(), 1);
        first.plug(new TestFunction(), 2);
        second.plug(new TestFunction(), 2);
        second.plug(new TestFunction(), 1);
        for (int dev = 1; dev <= 2; dev++) {
            for (int r = 0x10; r <= 0x1C; r += 4) assertEquals(cfgRead(first, dev, r, 4), cfgRead(second, dev, r, 4));
        }
        assertEquals(0xC100_0000L, cfgRead(second, 2, 0x10, 4));
    }

    /** A BAR bigger than the device's slice (16 MiB) is left for the OS. */
    @Test
    void aBarBiggerThanTheSliceIsLeftUnassigned() {
        PciHostBridge b = PciTesting.bridge();
        TestFunction big = new TestFunction() {
            @Override public List<PciBar> bars() { return List.of(new PciBar(0, PciBar.Kind.MEMORY32, 32 << 20)); }
        };
        int dev = b.plug(big, 5);
        assertEquals(0, cfgRead(b, dev, 0x10, 4));
        assertEquals(0, cfgRead(b, dev, 0x04, 2) & 0x2, "memory decoding stays off");
    }

    @Test
    void ecamSeesTheSameRegistersAndAnEmptyExtendedSpace() {
        PciHostBridge b = PciTesting.bridge();
        int dev = b.plug(new TestFunction(), 3);
        long cfg = 0xE000_0000L + ((long) dev << 15);
        assertEquals(0x5678_1234L, mmioRead(b, cfg, 4));
        assertEquals(0x56, mmioRead(b, cfg + 3, 1));
        assertEquals(0x1B36, mmioRead(b, 0xE000_0000L, 2), "the host bridge at 00:00.0");
        mmioWrite(b, cfg + 4, 2, 0x0007);
        assertEquals(0x0007, cfgRead(b, dev, 0x04, 2), "a write through ECAM, read through the ports");
        assertEquals(0x09, mmioRead(b, cfg + 0x40, 1), "device-specific space");
        assertEquals(0, mmioRead(b, cfg + 0x100, 4), "no extended capabilities");
        assertEquals(0xFFFF_FFFFL, mmioRead(b, cfg + (1 << 12), 4), "function 1");
        assertEquals(0xFFFF, mmioRead(b, 0xE000_0000L + (9 << 15), 2), "no device 9");
        assertEquals(0xFFFF_FFFFL, mmioRead(b, cfg + 2, 4), "a dword straddling two registers");
        assertEquals(-1L, mmioRead(b, cfg, 8));
        assertThrows(IllegalArgumentException.class, () -> new PciHostBridge(PciTesting.config(0xC010_0000L, 0xC000_0000L)), "inside the window");
        assertThrows(IllegalArgumentException.class, () -> new PciHostBridge(PciTesting.config(0xE000_1000L, 0xC000_0000L)), "misaligned");
        assertEquals(3, new PciHostBridge(PciTesting.config(0, 0xC000_0000L)).ranges().size(), "no ECAM");
    }

    @Test
    void intxLinesAreWiredOrAndHonourInterruptDisable() {
        PciHostBridge b = PciTesting.bridge();
        PciTesting.Lines lines = new PciTesting.Lines();
        b.bindInterruptController(lines);
        TestFunction f1 = new TestFunction(), f3 = new TestFunction();
        b.plug(f1, 1);
        b.plug(f3, 3);                                              // 1 + 1 and 3 + 1: both even -> the same IRQ
        int irq = b.isaIrq(1, 1);
        assertEquals(irq, b.isaIrq(3, 1));
        f1.slot.setInterrupt(true);
        f3.slot.setInterrupt(true);
        f1.slot.setInterrupt(false);
        assertTrue(lines.high(irq), "still asserted by device 3");
        assertEquals(0x08, cfgRead(b, 3, 0x06, 1) & 0x08, "interrupt status");
        cfgWrite(b, 3, 0x04, 2, 0x0400 | 0x0003);                  // Interrupt Disable
        assertFalse(lines.high(irq));
        assertEquals(0x08, cfgRead(b, 3, 0x06, 1) & 0x08, "status still shows the pending interrupt");
        cfgWrite(b, 3, 0x04, 2, 0x0003);
        assertTrue(lines.high(irq));
        f3.slot.setInterrupt(false);
        assertFalse(lines.high(irq));
        assertEquals(List.of(irq + "+", irq + "-", irq + "+", irq + "-"), lines.changes);
    }

    @Test
    void busMasterGatesDma() {
        PciHostBridge b = PciTesting.bridge();
        pcm.devices.internal.FakePlatform platform = new pcm.devices.internal.FakePlatform();
        platform.memory = new pcm.devices.internal.HeapMemory(4096);
        b.bindPlatform(platform);
        TestFunction f = new TestFunction();
        int dev = b.plug(f, -1);
        assertTrue(f.slot.dma().isEmpty(), "bus mastering is off after firmware");
        cfgWrite(b, dev, 0x04, 2, 0x0006);
        assertTrue(f.slot.dma().isPresent());
        platform.memory = null;
        assertTrue(f.slot.dma().isEmpty(), "no VM");
    }

    @Test
    void replugAtTheSameDeviceKeepsTheHeaderAndSaveRestoreCarriesIt() {
        PciHostBridge b = PciTesting.bridge();
        TestFunction f = new TestFunction();
        int dev = b.plug(f, 4);
        cfgWrite(b, dev, 0x10, 4, 0xD000_0000L);
        cfgWrite(b, dev, 0x04, 2, 0x0007);
        PciHostBridge.State saved = b.save();
        b.unplug(f);
        assertEquals(0xFFFF, cfgRead(b, dev, 0, 2));
        assertTrue(f.slot == null, "detached");
        TestFunction g = new TestFunction();
        b.plug(g, 4);
        assertEquals(0xD000_0000L, cfgRead(b, dev, 0x10, 4), "the successor got the header");
        assertEquals(0x0007, cfgRead(b, dev, 0x04, 2));

        PciHostBridge other = PciTesting.bridge();
        other.plug(new TestFunction(), 4);
        other.restore(saved);
        assertEquals(0xD000_0000L, cfgRead(other, 4, 0x10, 4));
        assertEquals(0x0007, cfgRead(other, 4, 0x04, 2));
    }

    @Test
    void badPlugsAndConfigurationsAreTypedErrors() {
        PciHostBridge b = PciTesting.bridge();
        b.plug(new TestFunction(), 2);
        assertThrows(IllegalStateException.class, () -> b.plug(new TestFunction(), 2));
        assertThrows(IllegalStateException.class, () -> b.plug(new TestFunction(), 0), "the host bridge's place");
        assertThrows(IllegalArgumentException.class, () -> b.plug(new TestFunction(), 32));
        assertThrows(IllegalArgumentException.class, () -> new PciBar(0, PciBar.Kind.IO, 3));
        assertThrows(IllegalArgumentException.class, () -> new PciBar(5, PciBar.Kind.MEMORY64, 16));
        IoRange cfg = b.ranges().getFirst();
        assertEquals(AddressSpace.PIO, cfg.space());
        assertEquals(0xFFFF_FFFFL, b.read(cfg, 4, 4), "data port before any address was written");
        assertEquals(0xFFFFL, b.read(cfg, 3, 2), "an access straddling address and data ports");
    }
}
