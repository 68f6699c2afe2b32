package pcm.irq.internal.lapic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import pcm.core.api.bus.IoRange;
import pcm.core.api.irq.InterruptController;
import pcm.irq.api.LocalApic;
import pcm.irq.internal.FakeClock;

/** The local APIC (issue 14 item 3): registers, priorities, EOI, IPIs, the timer on guest time, state. */
class LapicDeviceTest {

    private static final IoRange RANGE = IoRange.mmio(LapicDevice.BASE, 0x1000);
    private final FakeClock clock = new FakeClock();
    private final LapicDevice apic = new LapicDevice(config(true, 0), clock);

    static LapicDevice.Config config(boolean firmware, long minPeriod) {
        return new LapicDevice.Config() {
            public Class<? extends Annotation> annotationType() { return LapicDevice.Config.class; }
            public long timerHz() { return 1_000_000_000L; }
            public long minTimerPeriodNanos() { return minPeriod; }
            public boolean firmwareSetup() { return firmware; }
        };
    }

    private int rd(int reg) {
        return (int) apic.read(RANGE, reg, 4);
    }

    private void wr(int reg, int value) {
        apic.write(RANGE, reg, 4, Integer.toUnsignedLong(value));
    }

    /** Takes every deliverable interrupt (INTA) and returns the vectors, without EOI: nested ones only. */
    private List<Integer> drain() {
        List<Integer> out = new ArrayList<>();
        while (apic.hasPendingInterrupt()) out.add(apic.acknowledge());
        return out;
    }

    /** INTA then EOI for each interrupt, as a handler does: the vectors in delivery order. */
    private List<Integer> service() {
        List<Integer> out = new ArrayList<>();
        while (apic.hasPendingInterrupt()) {
            out.add(apic.acknowledge());
            wr(0x0B0, 0);
        }
        return out;
    }

    @Test
    void identificationAndFirmwareState() {
        assertEquals(0x0005_0014, rd(0x030), "version 0x14, six LVT entries, no EOI-broadcast suppression");
        assertEquals(0, rd(0x020));
        wr(0x020, 0x0300_0000);
        assertEquals(0x0300_0000, rd(0x020));
        assertEquals(0xFFFF_FFFF, rd(0x0E0), "flat model");
        wr(0x0E0, 0x0000_0000);
        assertEquals(0x0FFF_FFFF, rd(0x0E0), "cluster model; the low 28 bits read as ones");
        wr(0x0D0, 0x12_345678);
        assertEquals(0x1200_0000, rd(0x0D0));
        assertEquals(0x1FF, rd(0x0F0), "firmware: enabled, spurious vector 0xFF");
        assertEquals(0x700, rd(0x350), "LINT0 ExtINT (virtual wire)");
        assertEquals(0x400, rd(0x360), "LINT1 NMI");
        assertEquals(0x10000, rd(0x320), "timer masked");
        LapicDevice reset = new LapicDevice(config(false, 0), clock);
        assertEquals(0xFF, (int) reset.read(RANGE, 0x0F0, 4), "architectural reset: software-disabled");
        assertEquals(0x10000, (int) reset.read(RANGE, 0x350, 4));
    }

    @Test
    void taskPriorityHoldsBackLowerClassesAndProcessorPriorityFollowsTheInService() {
        wr(0x080, 0x50);
        apic.deliver(0, false, LocalApic.DELIVERY_FIXED, 0x41, false);
        assertFalse(apic.hasPendingInterrupt(), "class 4 is below TPR class 5");
        assertEquals(0x50, rd(0x0A0));
        wr(0x080, 0x30);
        assertTrue(apic.hasPendingInterrupt());
        assertEquals(0x41, apic.acknowledge());
        assertEquals(0x40, rd(0x0A0), "PPR: the in-service class");
        assertEquals(1 << 1, rd(0x100 + 0x20), "ISR bit 0x41");
        apic.deliver(0, false, LocalApic.DELIVERY_FIXED, 0x45, false);
        assertFalse(apic.hasPendingInterrupt(), "same class as the in-service vector");
        assertEquals(1 << 5, rd(0x200 + 0x20), "IRR bit 0x45");
        apic.deliver(0, false, LocalApic.DELIVERY_FIXED, 0x61, false);
        assertEquals(List.of(0x61), drain(), "a higher class nests");
        wr(0x0B0, 0);                                      // EOI ends 0x61 (the highest in service)
        assertEquals(0x40, rd(0x0A0));
        wr(0x0B0, 0);                                      // EOI ends 0x41
        assertEquals(0x30, rd(0x0A0));
        assertEquals(List.of(0x45), drain());
        wr(0x0B0, 0);
        wr(0x0B0, 0);                                      // an EOI with nothing in service does nothing
        assertEquals(0x30, rd(0x0A0));
        assertEquals(-1, apic.acknowledge());
    }

    @Test
    void theEoiOfALevelTriggeredVectorIsBroadcast() {
        List<Integer> eois = new ArrayList<>();
        apic.addEoiListener(eois::add);
        apic.deliver(0xFF, false, LocalApic.DELIVERY_FIXED, 0x30, true);
        apic.deliver(0, false, LocalApic.DELIVERY_FIXED, 0x31, false);
        assertEquals(1 << 16, rd(0x180 + 0x10), "TMR bit 0x30");
        assertEquals(0x31, apic.acknowledge());
        wr(0x0B0, 0);                                      // 0x31 edge: no broadcast
        assertEquals(List.of(), eois);
        assertEquals(0x30, apic.acknowledge());
        wr(0x0B0, 0);
        assertEquals(List.of(0x30), eois);
    }

    @Test
    void messagesAreAcceptedOnlyWhenAddressed() {
        wr(0x020, 0x0200_0000);                            // APIC id 2
        assertFalse(apic.deliver(1, false, LocalApic.DELIVERY_FIXED, 0x40, false));
        assertTrue(apic.deliver(2, false, LocalApic.DELIVERY_FIXED, 0x40, false));
        wr(0x0D0, 0x0100_0000);                            // logical id bit 0, flat
        assertTrue(apic.deliver(0x03, true, LocalApic.DELIVERY_FIXED, 0x50, false));
        assertFalse(apic.deliver(0x02, true, LocalApic.DELIVERY_FIXED, 0x60, false));
        wr(0x0E0, 0x0FFF_FFFF);                            // cluster: cluster 1, member bit 2
        wr(0x0D0, 0x1400_0000);
        assertTrue(apic.deliver(0x14, true, LocalApic.DELIVERY_FIXED, 0x70, false));
        assertFalse(apic.deliver(0x24, true, LocalApic.DELIVERY_FIXED, 0x80, false));
        assertEquals(List.of(0x70, 0x50, 0x40), service());
    }

    @Test
    void selfIpisAndIllegalVectors() {
        wr(0x300, 0x4_0000 | 0x55);                        // shorthand self, fixed
        wr(0x310, 0x0500_0000);
        wr(0x300, 0x66);                                   // physical destination 5: not this APIC
        wr(0x310, 0);
        wr(0x300, 0x77);                                   // physical destination 0: this one
        wr(0x300, 0xC_0000 | 0x88);                        // all excluding self
        wr(0x300, 0x8_0000 | 0x99);                        // all including self
        wr(0x300, 0x500);                                  // INIT to CPU 0's neighbours: nobody
        assertEquals(0, rd(0x300) & 1 << 12, "delivery status idle");
        assertEquals(List.of(0x99, 0x77, 0x55), service());
        wr(0x300, 0x4_0000 | 0x05);                        // a vector below 16
        assertEquals(0, rd(0x280), "errors show after the next ESR write");
        wr(0x280, 0);
        assertEquals(0x20, rd(0x280), "send illegal vector");
        assertEquals(List.of(), drain());
        apic.deliver(0, false, LocalApic.DELIVERY_FIXED, 3, false);
        wr(0x280, 0);
        assertEquals(0x40, rd(0x280), "receive illegal vector");
        wr(0x280, 0);
        assertEquals(0, rd(0x280));
    }

    @Test
    void errorsRaiseTheErrorLvt() {
        wr(0x370, 0xFE);
        rd(0x040);                                         // a reserved register
        assertEquals(List.of(0xFE), drain());
        wr(0x280, 0);
        assertEquals(0x80, rd(0x280), "illegal register address");
    }

    @Test
    void oneShotTimerCountsDownAtTheDividedRateAndFiresOnce() {
        wr(0x3E0, 0xB);                                    // divide by 1
        wr(0x320, 0x30);                                   // one-shot, vector 0x30
        wr(0x380, 1000);                                   // 1 GHz: 1 µs
        clock.advanceTo(400);
        assertEquals(600, rd(0x390));
        assertFalse(apic.hasPendingInterrupt());
        clock.advanceTo(1000);
        assertEquals(List.of(0x30), drain());
        assertEquals(0, rd(0x390));
        wr(0x0B0, 0);
        clock.advanceTo(10_000);
        assertEquals(List.of(), drain(), "one shot only");
        assertEquals(1000, rd(0x380), "the initial count stays");
    }

    @Test
    void periodicTimerReloadsAndDividesBy16() {
        wr(0x3E0, 0x3);                                    // divide by 16
        assertEquals(0x3, rd(0x3E0));
        wr(0x320, 1 << 17 | 0x31);
        wr(0x380, 100);                                    // period 1600 ns
        clock.advanceTo(800);
        assertEquals(50, rd(0x390));
        List<Long> times = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            long before = clock.nanos();
            while (!apic.hasPendingInterrupt()) clock.advanceBy(100);
            times.add(clock.nanos());
            assertEquals(0x31, apic.acknowledge());
            wr(0x0B0, 0);
            assertTrue(clock.nanos() > before);
        }
        assertEquals(List.of(1600L, 3200L, 4800L, 6400L, 8000L), times);
        clock.advanceTo(8000 + 16 * 30);
        assertEquals(70, rd(0x390));
    }

    @Test
    void aMaskedTimerCountsWithoutInterruptsAndZeroStopsIt() {
        wr(0x3E0, 0xB);
        wr(0x320, 1 << 16 | 1 << 17 | 0x32);
        wr(0x380, 500);
        clock.advanceTo(5_100);
        assertEquals(List.of(), drain());
        assertEquals(400, rd(0x390), "still counting while masked");
        wr(0x380, 0);
        assertEquals(0, rd(0x390));
        assertEquals(0, clock.pendingCount(), "a stopped timer leaves no deadline");
    }

    @Test
    void changingTheDivisorMidCountKeepsTheCount() {
        wr(0x3E0, 0xB);                                    // by 1
        wr(0x320, 0x33);
        wr(0x380, 1000);
        clock.advanceTo(600);
        assertEquals(400, rd(0x390));
        wr(0x3E0, 0x0);                                    // by 2: 400 counts left take 800 ns
        assertEquals(400, rd(0x390));
        clock.advanceTo(1_399);
        assertFalse(apic.hasPendingInterrupt());
        clock.advanceTo(1_400);
        assertEquals(List.of(0x33), drain());
    }

    @Test
    void tscDeadlineModeIsNotAvailable() {
        wr(0x320, 2 << 17 | 0x34);                         // mode 2 = TSC-deadline on CPUs that have it
        assertEquals(0x34, rd(0x320), "bit 18 is reserved here: the timer stays one-shot");
    }

    @Test
    void aSoftwareDisabledApicMasksEveryLvtAndDeliversNothing() {
        wr(0x0F0, 0xFF);                                   // disable
        assertEquals(0x10700, rd(0x350));
        wr(0x320, 0x35);
        assertEquals(0x10035, rd(0x320), "cannot be unmasked while disabled");
        apic.deliver(0, false, LocalApic.DELIVERY_FIXED, 0x40, false);
        assertFalse(apic.hasPendingInterrupt());
        wr(0x0F0, 0x1FF);
        assertEquals(List.of(0x40), drain(), "held in the IRR until enabled");
    }

    @Test
    void theEightNineFiveNineReachesTheCpuThroughLint0InExtIntMode() {
        FakePic pic = new FakePic();
        apic.bindPic(pic);
        pic.vector = 0x20;
        assertTrue(apic.hasPendingInterrupt());
        assertEquals(0x20, apic.acknowledge());
        assertEquals(0, rd(0x100 + 0x10), "ExtINT bypasses ISR");
        apic.deliver(0, false, LocalApic.DELIVERY_FIXED, 0xEF, false);
        assertEquals(0xEF, apic.acknowledge(), "the APIC's own vector goes first");
        wr(0x350, 0x10700);                                // Linux masks LINT0 once the IOAPIC takes over
        assertFalse(apic.hasPendingInterrupt());
        assertEquals(-1, apic.acknowledge());
    }

    @Test
    void narrowAndMisalignedAccessesFollowTheRegisterLayout() {
        wr(0x080, 0xAB);
        assertEquals(0xAB, apic.read(RANGE, 0x080, 1));
        assertEquals(0x14, apic.read(RANGE, 0x030, 1));
        assertEquals(0x05, apic.read(RANGE, 0x032, 1));
        assertEquals(0, apic.read(RANGE, 0x084, 4), "the upper 12 bytes of a slot");
        apic.write(RANGE, 0x081, 1, 0xFF);                 // misaligned store: ignored
        apic.write(RANGE, 0x080, 2, 0x11);                 // narrow store: ignored
        assertEquals(0xAB, rd(0x080));
    }

    @Test
    void saveAndRestoreCarryTheStateAndTheRunningTimerToANewInstance() {
        wr(0x3E0, 0xB);
        wr(0x080, 0x20);
        wr(0x320, 1 << 17 | 0x36);
        wr(0x380, 1000);
        apic.deliver(0, false, LocalApic.DELIVERY_FIXED, 0x90, true);
        apic.deliver(0, false, LocalApic.DELIVERY_FIXED, 0x50, false);
        assertEquals(0x90, apic.acknowledge());
        clock.advanceTo(300);
        Lapic.State saved = apic.save();
        apic.deactivate();

        LapicDevice next = new LapicDevice(config(false, 0), clock);
        next.restore(saved);
        Lapic.State again = next.save();
        assertArrayEquals(saved.isr(), again.isr());
        assertArrayEquals(saved.irr(), again.irr());
        assertArrayEquals(saved.tmr(), again.tmr());
        assertArrayEquals(saved.lvt(), again.lvt());
        assertEquals(saved.svr(), again.svr());
        assertEquals(700, (int) next.read(RANGE, 0x390, 4), "the count goes on");
        assertEquals(0x90, (int) next.read(RANGE, 0x0A0, 4));
        clock.advanceTo(1000);
        next.write(RANGE, 0x0B0, 4, 0);
        List<Integer> got = new ArrayList<>();
        while (next.hasPendingInterrupt()) {
            got.add(next.acknowledge());
            next.write(RANGE, 0x0B0, 4, 0);
        }
        assertEquals(List.of(0x50, 0x36), got);
        assertEquals(1, clock.pendingCount(), "only the new instance's timer is scheduled");
    }

    @Test
    void periodicExpiriesCloserThanTheMinimumAreCoalesced() {
        LapicDevice fast = new LapicDevice(config(true, 10_000), clock);
        fast.write(RANGE, 0x3E0, 4, 0xB);
        fast.write(RANGE, 0x320, 4, 1 << 17 | 0x37);
        fast.write(RANGE, 0x380, 4, 1);                    // every nanosecond
        int interrupts = 0;
        for (int t = 0; t <= 100_000; t += 1000) {
            clock.advanceTo(t);
            while (fast.hasPendingInterrupt()) {
                fast.acknowledge();
                fast.write(RANGE, 0x0B0, 4, 0);
                interrupts++;
            }
        }
        assertTrue(interrupts <= 11 && interrupts >= 9, "about one per 10 µs, was " + interrupts);
    }

    @Test
    void randomProgrammingNeverThrows() {
        Random r = new Random(14);
        FakePic pic = new FakePic();
        apic.bindPic(pic);
        for (int i = 0; i < 200_000; i++) {
            long offset = r.nextInt(0x1000);
            int size = 1 << r.nextInt(4);
            if (r.nextBoolean()) apic.write(RANGE, offset, size, r.nextLong());
            else apic.read(RANGE, offset, size);
            if (r.nextInt(8) == 0) apic.deliver(r.nextInt(256), r.nextBoolean(), r.nextInt(8), r.nextInt(256), r.nextBoolean());
            if (r.nextInt(8) == 0 && apic.hasPendingInterrupt()) apic.acknowledge();
            if (r.nextInt(16) == 0) clock.advanceBy(r.nextInt(100_000));
        }
    }

    static final class FakePic implements InterruptController {
        int vector = -1;

        public void setIrq(int line, boolean high) {}
        public boolean hasPendingInterrupt() { return vector >= 0; }
        public int acknowledge() {
            int v = vector;
            vector = -1;
            return v;
        }
        public void setPendingListener(Runnable listener) {}
    }
}
