package pcm.devices.internal.virtio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pcm.devices.internal.pci.PciTesting.cfgRead;
import static pcm.devices.internal.pci.PciTesting.cfgWrite;

import java.lang.annotation.Annotation;

import org.junit.jupiter.api.Test;

/** The virtio PCI transport through the host bridge, driven as Linux drives it; with virtio-rng as the device. */
class VirtioTransportTest {

    static VirtioRngDevice rng(int maxBytes) {
        return new VirtioRngDevice(new VirtioRngDevice.Config() {
            @Override public Class<? extends Annotation> annotationType() { return VirtioRngDevice.Config.class; }
            @Override public int pci_device() { return -1; }
            @Override public int maxBytesPerRequest() { return maxBytes; }
            @Override public int queueSize() { return 64; }
        });
    }

    @Test
    void identityAndCapabilitiesAreWhatLinuxLooksFor() {
        VirtioDriver d = new VirtioDriver(rng(4096));
        assertEquals(0x1044_1AF4L, cfgRead(d.bridge, d.dev, 0, 4), "modern virtio-rng: 1af4:1044");
        assertEquals(1, cfgRead(d.bridge, d.dev, 0x08, 1), "revision 1");
        assertEquals(0x10, cfgRead(d.bridge, d.dev, 0x06, 1) & 0x10);
        assertEquals(1, cfgRead(d.bridge, d.dev, 0x3D, 1), "INTA");
        assertEquals(0xC000_0000L, d.common);
        assertEquals(0xC000_1000L, d.isr);
        assertEquals(0xC000_2000L, d.deviceCfg);
        assertEquals(0xC000_3000L, d.notify);
        assertEquals(4, d.notifyMultiplier);
        assertEquals(1, d.read(d.common + 0x12, 2), "one queue");
        assertEquals(64, d.queueSize());
        assertEquals(0xFFFF, d.read(d.common + 0x10, 2), "no MSI-X: VIRTIO_MSI_NO_VECTOR");
        long f = d.deviceFeatures();
        assertTrue((f & VirtioPciFunction.F_VERSION_1) != 0);
        assertTrue((f & VirtioPciFunction.F_INDIRECT_DESC) != 0);
    }

    @Test
    void featuresWithoutVersion1OrNotOfferedAreRefused() {
        VirtioDriver d = new VirtioDriver(rng(4096));
        assertFalse(d.negotiate(0), "legacy driver");
        assertFalse(d.negotiate(VirtioPciFunction.F_VERSION_1 | 1L << 29), "EVENT_IDX is not offered");
        assertTrue(d.negotiate(VirtioPciFunction.F_VERSION_1));
        d.write(d.common + 0x08, 4, 0);
        assertEquals(0, d.read(d.common + 0x0C, 4));
        d.write(d.common + 0x08, 4, 1);
        assertEquals(1, d.read(d.common + 0x0C, 4), "driver features read back");
    }

    @Test
    void rngFillsTheBufferRaisesIntxAndTheIsrReadLowersIt() {
        VirtioRngDevice rng = rng(4096);
        VirtioDriver d = new VirtioDriver(rng);
        d.start(VirtioPciFunction.F_VERSION_1, 64);
        int head = d.chain(new long[] {0x8000, 4096, 1});
        long before = d.ram.bytesWritten;
        d.offerAndKick(head);
        assertEquals(1, d.usedIdx());
        assertEquals(4096, d.usedLen(0));
        assertTrue(d.ram.bytesWritten - before >= 4096, "the bytes went through GuestMemory (logged DMA)");
        int zeros = 0;
        for (int i = 0; i < 4096; i++) if (d.ram.ram[0x8000 + i] == 0) zeros++;
        assertTrue(zeros < 64, "random bytes, " + zeros + " zeros");
        assertTrue(d.lines.high(d.irq()));
        assertEquals(1, d.readIsr(), "queue interrupt");
        assertFalse(d.lines.high(d.irq()));
        assertEquals(0, d.readIsr(), "read clears");
        assertEquals(4096, rng.bytesGiven());
    }

    @Test
    void requestsAreCappedAndNoInterruptIsHonoured() {
        VirtioDriver d = new VirtioDriver(rng(100));
        d.start(VirtioPciFunction.F_VERSION_1, 16);
        d.ram.put(VirtioDriver.AVAIL, 2, Virtqueue.AVAIL_F_NO_INTERRUPT);
        d.offerAndKick(d.chain(new long[] {0x8000, 1000, 1}));
        assertEquals(100, d.usedLen(0));
        assertFalse(d.lines.high(d.irq()));
    }

    @Test
    void aBadRingSetsDeviceNeedsResetAndRaisesAConfigInterruptNeverThrows() {
        VirtioRngDevice rng = rng(4096);
        VirtioDriver d = new VirtioDriver(rng);
        d.start(VirtioPciFunction.F_VERSION_1, 64);
        d.offerAndKick(d.chain(new long[] {0x8000, 16, 1}, new long[] {0x7000_0000L, 16, 1}));   // second buffer beyond RAM
        assertEquals(0, d.usedIdx());
        assertEquals(VirtioPciFunction.S_NEEDS_RESET, d.status() & VirtioPciFunction.S_NEEDS_RESET);
        assertTrue(rng.lastError().contains("not in RAM"), rng.lastError());
        assertTrue(d.lines.high(d.irq()));
        assertEquals(2, d.readIsr(), "configuration change");
        d.offerAndKick(d.chain(new long[] {0x8000, 16, 1}));
        assertEquals(0, d.usedIdx(), "the device ignores the queue until reset");
        d.write(d.common + 0x14, 1, 0);
        assertEquals(0, d.status(), "reset clears DEVICE_NEEDS_RESET");
        assertEquals(0, d.read(d.common + 0x1C, 2), "queue disabled by the reset");
    }

    @Test
    void aQueueSizeThatIsNoPowerOfTwoIsRefusedAtEnable() {
        VirtioDriver d = new VirtioDriver(rng(4096));
        assertTrue(d.negotiate(VirtioPciFunction.F_VERSION_1));
        d.setUpQueue(48);
        assertNotEquals(0, d.status() & VirtioPciFunction.S_NEEDS_RESET);
        assertEquals(0, d.read(d.common + 0x1C, 2), "not enabled");
    }

    @Test
    void theQueueRegistersReadBackAndUnknownQueuesReadZero() {
        VirtioDriver d = new VirtioDriver(rng(4096));
        d.write(d.common + 0x16, 2, 0);
        d.write(d.common + 0x20, 4, 0x1234_5670L);
        d.write(d.common + 0x24, 4, 0x9);
        assertEquals(0x9_1234_5670L, d.read(d.common + 0x20, 8));
        assertEquals(0x1234_5670L, d.read(d.common + 0x20, 4));
        d.write(d.common + 0x16, 2, 5);
        assertEquals(0, d.read(d.common + 0x18, 2), "queue 5 does not exist");
        assertEquals(0, d.read(d.common + 0x20, 4));
    }

    @Test
    void withoutBusMasteringNothingIsWritten() {
        VirtioDriver d = new VirtioDriver(rng(4096));
        d.start(VirtioPciFunction.F_VERSION_1, 64);
        cfgWrite(d.bridge, d.dev, 0x04, 2, 0x0002);
        d.offerAndKick(d.chain(new long[] {0x8000, 16, 1}));
        assertEquals(0, d.usedIdx());
        cfgWrite(d.bridge, d.dev, 0x04, 2, 0x0006);
        d.offerAndKick(d.chain(new long[] {0x8000, 16, 1}));
        assertEquals(2, d.usedIdx(), "both requests once DMA is allowed");
    }

    @Test
    void thePciConfigurationAccessCapabilityReachesTheBar() {
        VirtioDriver d = new VirtioDriver(rng(4096));
        int cap = VirtioPciFunction.CAP_PCI_CFG;
        assertEquals(5, cfgRead(d.bridge, d.dev, cap + 3, 1));
        cfgWrite(d.bridge, d.dev, cap + 4, 1, 0);
        cfgWrite(d.bridge, d.dev, cap + 8, 4, 0x12);                  // num_queues
        cfgWrite(d.bridge, d.dev, cap + 12, 4, 2);
        assertEquals(1, cfgRead(d.bridge, d.dev, cap + 16, 4));
    }

    @Test
    void saveAndRestoreCarryTheQueuesIntoANewInstance() {
        VirtioRngDevice first = rng(4096);
        VirtioDriver d = new VirtioDriver(first);
        d.start(VirtioPciFunction.F_VERSION_1, 64);
        d.offerAndKick(d.chain(new long[] {0x8000, 32, 1}));
        VirtioPciFunction.State saved = first.save();
        d.bridge.unplug(first);
        VirtioRngDevice second = rng(4096);
        d.bridge.plug(second, d.dev);
        second.restore(saved);
        assertTrue(d.lines.high(d.irq()), "the pending ISR came along");
        d.readIsr();
        d.offerAndKick(d.chain(new long[] {0x9000, 32, 1}));
        assertEquals(2, d.usedIdx(), "the new instance continues the rings");
        assertEquals(32, second.bytesGiven());
    }
}
