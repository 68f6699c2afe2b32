package pcm.devices.uart.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import pcm.core.api.bus.IoRange;
import pcm.core.api.irq.InterruptController;


class UartDeviceTest {

    private final UartDevice device = new UartDevice();
    private final FakePlatform platform = new FakePlatform();
    private final List<String> lines = new ArrayList<>();
    private final IoRange com1 = IoRange.pio(0x3F8, 8);

    private final InterruptController controller = new InterruptController() {
        @Override public void setIrq(int line, boolean high) { lines.add(line + (high ? "+" : "-")); }
        @Override public boolean hasPendingInterrupt() { return false; }
        @Override public int acknowledge() { return -1; }
        @Override public void setPendingListener(Runnable listener) {}
    };

    private static UartDevice.Config config(int base, int irq) {
        return new UartDevice.Config() {
            @Override public int base() { return base; }
            @Override public int irq() { return irq; }
            @Override public String name() { return "test"; }
            @Override public Class<? extends Annotation> annotationType() { return UartDevice.Config.class; }
        };
    }

    @Test
    void defaultsToCom1AndWritesToTheConsole() {
        device.bindPlatform(platform);
        assertEquals(List.of(com1), device.ranges());
        for (byte b : "PCM\n".getBytes(StandardCharsets.US_ASCII)) device.write(com1, 0, 1, b);
        assertEquals("PCM\n", platform.console.toString(StandardCharsets.US_ASCII));
        assertEquals(4, device.transmittedBytes());
    }

    @Test
    void worksWithoutPlatformOrController() {
        device.write(com1, 0, 1, 'x');
        assertEquals(0x60, device.read(com1, 5, 1));
    }

    @Test
    void onlyByteAccessesReachTheRegisters() {
        device.bindPlatform(platform);
        device.write(com1, 0, 2, 0x4141);
        device.write(com1, 0, 4, 0x41414141);
        assertEquals(0xFFFF, device.read(com1, 4, 2));
        assertEquals(0, platform.console.size());
        assertEquals(3, device.invalidAccesses());
    }

    @Test
    void configuredBaseAndIrqDriveTheController() {
        device.activate(config(0x2F8, 3));
        IoRange com2 = IoRange.pio(0x2F8, 8);
        assertEquals(List.of(com2), device.ranges());
        device.bindInterruptController(controller);
        device.write(com2, 4, 1, 0x08);     // OUT2
        device.write(com2, 1, 1, 0x01);     // RDA interrupt
        assertEquals(3, device.receive("ab".getBytes(StandardCharsets.US_ASCII), 0, 2) + 2);
        assertEquals(List.of("3+"), lines);
        device.read(com2, 0, 1);
        assertEquals(List.of("3+", "3-"), lines);
    }

    @Test
    void aLateControllerLearnsARaisedLine() {
        device.write(com1, 4, 1, 0x08);
        device.write(com1, 1, 1, 0x02);     // THRE interrupt, raised at once
        device.bindInterruptController(controller);
        assertEquals(List.of("4+"), lines);
        device.unbindInterruptController(controller);
        device.read(com1, 2, 1);
        assertEquals(List.of("4+"), lines);
    }

    @Test
    void saveRestore() {
        device.write(com1, 7, 1, 0x99);
        UartDevice other = new UartDevice();
        other.restore(device.save());
        assertEquals(0x99, other.read(com1, 7, 1));
        assertTrue(other.name().contains("0x3f8"));
    }

    /** A live replacement (issue 14 item 5): the successor has the registers, the unread input and the raised line. */
    @Test
    void aSuccessorTakesOverRegistersFifoAndThePendingInterrupt() {
        device.bindInterruptController(controller);
        device.write(com1, 2, 1, 0x01);                        // FIFO on
        device.write(com1, 1, 1, 0x01);                        // IER: received data available
        device.write(com1, 4, 1, 0x08);                        // MCR OUT2: the IRQ reaches the PIC (PC wiring)
        device.write(com1, 7, 1, 0x5A);                        // scratch
        device.input("ok".getBytes(), 0, 2);                   // unread by the guest: IRQ 4 raised
        assertEquals(List.of("4+"), lines);
        assertEquals("uart16550@0x3f8", device.stateId());
        byte[] state = device.saveState();

        List<String> successorLines = new ArrayList<>();
        UartDevice successor = new UartDevice();
        successor.bindInterruptController(new InterruptController() {
            @Override public void setIrq(int line, boolean high) { successorLines.add(line + (high ? "+" : "-")); }
            @Override public boolean hasPendingInterrupt() { return false; }
            @Override public int acknowledge() { return -1; }
            @Override public void setPendingListener(Runnable listener) {}
        });
        assertEquals(device.stateId(), successor.stateId());
        successor.restoreState(state);
        assertEquals(List.of("4+"), successorLines, "the pending interrupt is driven by the successor");
        assertEquals(0x5A, successor.read(com1, 7, 1));
        assertEquals(0x01, successor.read(com1, 1, 1));
        assertEquals('o', successor.read(com1, 0, 1));
        assertEquals('k', successor.read(com1, 0, 1));
        assertEquals("4-", successorLines.getLast(), "read empty: the line drops");
    }

    @Test
    void aStateOfAnotherFormatOrTruncatedIsRefusedWithTheReason() {
        byte[] good = device.saveState();
        IllegalArgumentException other = assertThrows(IllegalArgumentException.class,
            () -> new UartDevice().restoreState("pcm.uart8250/7\nxyz".getBytes()));
        assertTrue(other.getMessage().contains("pcm.uart8250/7"), other.getMessage());
        IllegalArgumentException cut = assertThrows(IllegalArgumentException.class,
            () -> new UartDevice().restoreState(java.util.Arrays.copyOf(good, good.length - 3)));
        assertTrue(cut.getMessage().contains("truncated"), cut.getMessage());
        byte[] big = java.util.Arrays.copyOf(good, good.length + 1);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new UartDevice().restoreState(big))
            .getMessage().contains("trailing"));
    }
}
