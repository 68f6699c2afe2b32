package pcm.devices.internal.testdev;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.util.List;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

import pcm.core.api.bus.AddressSpace;
import pcm.core.api.bus.IoRange;
import pcm.devices.internal.FakePlatform;

class PcmTestDeviceTest {

    private final PcmTestDevice device = new PcmTestDevice();
    private final FakePlatform platform = new FakePlatform();
    private final IoRange mmio = IoRange.mmio(0xFEB0_0000L, 0x1000);

    @Test
    void sitsAtTheContractAddress() {
        assertEquals(List.of(mmio), device.ranges());
        assertEquals(AddressSpace.MMIO, device.ranges().getFirst().space());
    }

    @Test
    void idAndParameter() {
        device.bindPlatform(platform);
        platform.parameter = 1234;
        assertEquals(0x0000_0001_5043_4D31L, device.read(mmio, 0x00, 8));
        assertEquals(0x5043_4D31L, device.read(mmio, 0x00, 4), "32-bit read of the low half");
        assertEquals(1234, device.read(mmio, 0x08, 8));
        assertEquals(1234, device.read(mmio, 0x08, 4));
    }

    @Test
    void parameterIsZeroWithoutPlatform() {
        assertEquals(0, device.read(mmio, 0x08, 8));
    }

    @Test
    void scratchReadsBackTheLastWrite() {
        device.write(mmio, 0x10, 8, 0xDEAD_BEEF_CAFE_F00DL);
        assertEquals(0xDEAD_BEEF_CAFE_F00DL, device.read(mmio, 0x10, 8));
        assertEquals(0xCAFE_F00DL, device.read(mmio, 0x10, 4));
    }

    @Test
    void progressAndResultStayReadableForTheShell() {
        assertEquals(OptionalLong.empty(), device.result());
        device.write(mmio, 0x18, 8, 1);
        device.write(mmio, 0x18, 8, 2);
        device.write(mmio, 0x20, 8, 0x1122_3344_5566_7788L);
        assertEquals(2, device.lastProgress());
        assertEquals(2, device.progressWrites());
        assertEquals(OptionalLong.of(0x1122_3344_5566_7788L), device.result());
        assertEquals(0, device.read(mmio, 0x20, 8), "write-only registers read as zero");
    }

    @Test
    void powerOffStopsTheVmWithTheWrittenStatus() {
        device.bindPlatform(platform);
        device.write(mmio, 0x28, 8, 0xDEAD);
        assertEquals(List.of(0xDEAD), platform.powerOffs);
        assertEquals(List.of("guest power off"), platform.powerOffReasons);
        assertEquals(OptionalLong.of(0xDEAD), device.powerOffStatus());
    }

    @Test
    void powerOffWithoutPlatformIsRemembered() {
        device.write(mmio, 0x28, 8, 0);
        assertEquals(OptionalLong.of(0), device.powerOffStatus());
    }

    @Test
    void accessesOutsideTheContractAreIgnoredAndCounted() {
        device.bindPlatform(platform);
        assertEquals(0xFFFF_FFFFL, device.read(mmio, 0x04, 4), "high half");
        assertEquals(-1L, device.read(mmio, 0x30, 8), "no register");
        assertEquals(0xFF, device.read(mmio, 0x00, 1));
        device.write(mmio, 0x28, 4, 0);          // 32-bit power off: not allowed
        device.write(mmio, 0x00, 8, 5);          // ID is read-only
        device.write(mmio, 0x13, 8, 5);
        assertTrue(platform.powerOffs.isEmpty());
        assertEquals(0x0000_0001_5043_4D31L, device.read(mmio, 0x00, 8));
        assertEquals(6, device.invalidAccesses());
    }

    @Test
    void configuredBase() {
        device.activate(new PcmTestDevice.Config() {
            @Override public long base() { return 0xFEC0_0000L; }
            @Override public Class<? extends Annotation> annotationType() { return PcmTestDevice.Config.class; }
        });
        assertEquals(0xFEC0_0000L, device.ranges().getFirst().base());
    }

    @Test
    void saveRestore() {
        device.write(mmio, 0x10, 8, 99);
        device.write(mmio, 0x18, 8, 5);
        PcmTestDevice other = new PcmTestDevice();
        other.restore(device.save());
        assertEquals(99, other.read(mmio, 0x10, 8));
        assertEquals(5, other.lastProgress());
        assertEquals(device.save(), other.save());
    }
}
