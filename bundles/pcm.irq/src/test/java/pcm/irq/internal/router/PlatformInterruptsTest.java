package pcm.irq.internal.router;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import pcm.core.api.bus.IoRange;
import pcm.irq.internal.FakeClock;
import pcm.irq.internal.ioapic.IoapicDevice;
import pcm.irq.internal.ioapic.IoapicTesting;
import pcm.irq.internal.lapic.LapicDevice;
import pcm.irq.internal.lapic.LapicTesting;
import pcm.irq.internal.pic.PicController;

/**
 * The whole path as Linux sets it up (issue 14 item 3): the PIT's IRQ 0 reaches the CPU through the 8259 and
 * LINT0 before the IOAPIC is programmed, through IOAPIC pin 2 afterwards; a level-triggered line is held back by
 * Remote IRR until the local APIC's EOI.
 */
class PlatformInterruptsTest {

    private final FakeClock clock = new FakeClock();
    private final PicController pic = new PicController();
    private final LapicDevice lapic = LapicTesting.device(clock);
    private final IoapicDevice ioapic = IoapicTesting.device(lapic);
    private final PlatformInterrupts router = new PlatformInterrupts();
    private final AtomicInteger kicks = new AtomicInteger();

    private static final IoRange PIC_MASTER = IoRange.pio(0x20, 2), PIC_SLAVE = IoRange.pio(0xA0, 2);
    private static final IoRange IOAPIC = IoRange.mmio(IoapicDevice.BASE, 0x20), LAPIC = IoRange.mmio(LapicDevice.BASE, 0x1000);

    PlatformInterruptsTest() {
        LapicTesting.bind(lapic, pic, ioapic);
        router.bindPic(pic);
        router.bindIoApic(ioapic);
        router.bindLocalApic(lapic);
        router.setPendingListener(kicks::incrementAndGet);
        // the 8259 pair as Linux initialises it: vectors 0x30/0x38, cascade on IRQ 2
        pic.write(PIC_MASTER, 0, 1, 0x11);
        pic.write(PIC_MASTER, 1, 1, 0x30);
        pic.write(PIC_MASTER, 1, 1, 0x04);
        pic.write(PIC_MASTER, 1, 1, 0x01);
        pic.write(PIC_SLAVE, 0, 1, 0x11);
        pic.write(PIC_SLAVE, 1, 1, 0x38);
        pic.write(PIC_SLAVE, 1, 1, 0x02);
        pic.write(PIC_SLAVE, 1, 1, 0x01);
        pic.write(PIC_MASTER, 1, 1, 0x00);                 // all unmasked
    }

    @Test
    void withoutApicProgrammingTheTimerComesThroughTheEightNineFiveNineAndLint0() {
        router.pulseIrq(0);
        assertTrue(router.hasPendingInterrupt());
        assertTrue(kicks.get() > 0, "the vCPU was kicked");
        assertEquals(0x30, router.acknowledge());
        pic.write(PIC_MASTER, 0, 1, 0x20);                 // 8259 EOI
        assertFalse(router.hasPendingInterrupt());
    }

    @Test
    void onceLinuxRoutesIrq0ThroughIoapicPin2TheLapicDeliversIt() {
        pic.write(PIC_MASTER, 1, 1, 0xFF);                 // Linux masks the 8259
        lapic.write(LAPIC, 0x350, 4, 0x10700);             // and LINT0
        ioapic.write(IOAPIC, 0, 4, 0x15);                  // pin 2 high half: destination 0
        ioapic.write(IOAPIC, 0x10, 4, 0);
        ioapic.write(IOAPIC, 0, 4, 0x14);                  // pin 2 low half: edge, vector 0xEC
        ioapic.write(IOAPIC, 0x10, 4, 0xEC);
        router.pulseIrq(0);
        assertTrue(router.hasPendingInterrupt());
        assertEquals(0xEC, router.acknowledge());
        lapic.write(LAPIC, 0x0B0, 4, 0);
        assertFalse(router.hasPendingInterrupt());
    }

    @Test
    void aLevelTriggeredLineIsHeldByRemoteIrrUntilTheLapicEoi() {
        pic.write(PIC_MASTER, 1, 1, 0xFF);
        pic.write(PIC_SLAVE, 1, 1, 0xFF);
        ioapic.write(IOAPIC, 0, 4, 0x10 + 2 * 9);          // SCI on pin 9: level, active high, vector 0x49
        ioapic.write(IOAPIC, 0x10, 4, 0x8000 | 0x49);
        router.setIrq(9, true);
        assertEquals(0x49, router.acknowledge());
        assertFalse(router.hasPendingInterrupt());
        lapic.write(LAPIC, 0x0B0, 4, 0);                   // EOI while the line is still high: delivered again
        assertTrue(router.hasPendingInterrupt());
        assertEquals(0x49, router.acknowledge());
        router.setIrq(9, false);                           // the handler quietens the device
        lapic.write(LAPIC, 0x0B0, 4, 0);
        assertFalse(router.hasPendingInterrupt());
        ioapic.write(IOAPIC, 0, 4, 0x10 + 2 * 9);
        assertEquals(0, ioapic.read(IOAPIC, 0x10, 4) & 1 << 14, "Remote IRR clear");
    }

    @Test
    void theLapicTimerFiresOnGuestTime() {
        pic.write(PIC_MASTER, 1, 1, 0xFF);
        lapic.write(LAPIC, 0x3E0, 4, 0xB);
        lapic.write(LAPIC, 0x320, 4, 1 << 17 | 0xEF);
        lapic.write(LAPIC, 0x380, 4, 4_000_000);           // 4 ms at 1 GHz: HZ=250
        int ticks = 0;
        for (long t = 0; t <= 100_000_000L; t += 1_000_000L) {
            clock.advanceTo(t);
            while (router.hasPendingInterrupt()) {
                assertEquals(0xEF, router.acknowledge());
                lapic.write(LAPIC, 0x0B0, 4, 0);
                ticks++;
            }
        }
        assertEquals(25, ticks, "100 ms of guest time at 250 Hz");
    }

    @Test
    void withoutALocalApicTheRouterIsThePic() {
        PlatformInterrupts legacy = new PlatformInterrupts();
        legacy.bindPic(pic);
        legacy.pulseIrq(4);
        assertEquals(0x34, legacy.acknowledge());
        assertEquals(-1, new PlatformInterrupts().acknowledge(), "nothing bound: nothing pending");
    }
}
