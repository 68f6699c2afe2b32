package pcm.devices.internal.rtc;

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
import pcm.devices.internal.FakeClock;

/** The CMOS RTC (issue 14 item 3): BCD/binary, 12/24 h, setting the clock, UIP, registers C/D, IRQ 8, state. */
class RtcDeviceTest {

    /** 2024-02-29 23:59:58 UTC, a Thursday. */
    private static final long START = 1_709_251_198L;
    private static final IoRange PORTS = IoRange.pio(0x70, 2);
    private final FakeClock clock = new FakeClock();
    private final Irq irq = new Irq();
    private final RtcDevice rtc = device(START);

    private RtcDevice device(long start) {
        RtcDevice d = new RtcDevice();
        d.bindClock(clock);
        d.bindInterruptController(irq);
        d.activate(new RtcDevice.Config() {
            public Class<? extends Annotation> annotationType() { return RtcDevice.Config.class; }
            public long startEpochSeconds() { return start; }
            public int extendedMemoryKiB() { return 65535; }
        });
        return d;
    }

    private int cmos(int reg) {
        rtc.write(PORTS, 0, 1, reg);
        return (int) rtc.read(PORTS, 1, 1);
    }

    private void setCmos(int reg, int value) {
        rtc.write(PORTS, 0, 1, reg);
        rtc.write(PORTS, 1, 1, value);
    }

    @Test
    void bcdTwentyFourHourClockAsABiosLeavesIt() {
        assertEquals(0x58, cmos(0x00));
        assertEquals(0x59, cmos(0x02));
        assertEquals(0x23, cmos(0x04));
        assertEquals(0x05, cmos(0x06), "Thursday (Sunday = 1)");
        assertEquals(0x29, cmos(0x07));
        assertEquals(0x02, cmos(0x08));
        assertEquals(0x24, cmos(0x09));
        assertEquals(0x20, cmos(0x32), "century");
        assertEquals(0x26, cmos(0x0A));
        assertEquals(0x02, cmos(0x0B));
        assertEquals(0x80, cmos(0x0D), "valid RAM and time");
        clock.advanceTo(2_000_000_000L);                   // over midnight into the leap day's successor
        assertEquals(0x00, cmos(0x00));
        assertEquals(0x00, cmos(0x04));
        assertEquals(0x01, cmos(0x07));
        assertEquals(0x03, cmos(0x08));
    }

    @Test
    void binaryAndTwelveHourModes() {
        setCmos(0x0B, 0x04);                               // binary, 12 h
        assertEquals(58, cmos(0x00));
        assertEquals(0x80 | 11, cmos(0x04), "11 PM");
        assertEquals(24, cmos(0x09));
        clock.advanceTo(2_000_000_000L);
        assertEquals(12, cmos(0x04), "midnight is 12 AM");
        setCmos(0x0B, 0x00);                               // BCD, 12 h
        setCmos(0x04, 0x81);                               // 1 PM
        assertEquals(0x81, cmos(0x04));
        setCmos(0x0B, 0x02);
        assertEquals(0x13, cmos(0x04));
    }

    @Test
    void settingTheClockWithSetHeldFreezesItAndItRunsOnFromTheNewTime() {
        setCmos(0x0B, 0x82);                               // SET
        setCmos(0x09, 0x25);
        setCmos(0x08, 0x12);
        setCmos(0x07, 0x31);
        setCmos(0x04, 0x10);
        setCmos(0x02, 0x20);
        setCmos(0x00, 0x30);
        clock.advanceTo(5_000_000_000L);
        assertEquals(0x30, cmos(0x00), "frozen while SET");
        assertEquals(0x00, cmos(0x0A) & 0x80, "no update in progress while SET");
        setCmos(0x0B, 0x02);
        clock.advanceTo(7_000_000_000L);
        assertEquals(0x32, cmos(0x00));
        assertEquals(0x25, cmos(0x09));
        assertEquals(0x31, cmos(0x07));
        assertEquals(0x04, cmos(0x06), "2025-12-31 is a Wednesday");
    }

    @Test
    void nonsenseDatesAreNormalisedNotThrown() {
        setCmos(0x08, 0x02);
        setCmos(0x07, 0x31);                               // 31 February
        assertEquals(0x29, cmos(0x07), "clamped to the month's last day (2024 is a leap year)");
        setCmos(0x08, 0x13);
        assertEquals(0x12, cmos(0x08));
        setCmos(0x00, 0xFF);                               // not BCD
        assertTrue(cmos(0x00) <= 0x59);
        setCmos(0x32, 0x99);
        assertTrue(cmos(0x32) <= 0x21, "years are kept within 1970-2199");
    }

    @Test
    void updateInProgressIsSetIn244MicrosecondsBeforeEachSecond() {
        clock.advanceTo(1_000_000_000L - 245_000);
        assertEquals(0, cmos(0x0A) & 0x80);
        clock.advanceTo(1_000_000_000L - 244_000);
        assertEquals(0x80, cmos(0x0A) & 0x80);
        clock.advanceTo(1_000_000_000L);
        assertEquals(0, cmos(0x0A) & 0x80);
    }

    @Test
    void periodicInterruptAtTheRateOfRegisterA() {
        setCmos(0x0A, 0x26);                               // 1024 Hz
        setCmos(0x0B, 0x42);                               // PIE
        int interrupts = 0;
        for (long t = 0; t < 100_000_000L; t += 100_000L) { // 100 ms in 100 µs steps
            clock.advanceTo(t);
            if (irq.high) {
                int c = cmos(0x0C);
                assertEquals(0xC0, c & 0xC0, "IRQF and PF");
                assertFalse(irq.high, "reading C drops IRQ 8");
                interrupts++;
            }
        }
        assertTrue(interrupts >= 101 && interrupts <= 103, "about 102 at 1024 Hz in 100 ms, was " + interrupts);
        assertEquals(0, cmos(0x0C) & 0x80);
    }

    @Test
    void updateEndedAndAlarmInterrupts() {
        setCmos(0x0B, 0x12);                               // UIE
        assertFalse(irq.high);
        clock.advanceTo(1_000_000_000L);
        assertTrue(irq.high, "the update after one second");
        assertEquals(0x90, cmos(0x0C) & ~0x40, "IRQF and UF (PF runs at the periodic rate even without PIE)");
        setCmos(0x0B, 0x22);                               // AIE only; alarm at 00:00:00 (hours and minutes don't care)
        setCmos(0x01, 0x00);
        setCmos(0x03, 0xC0);
        setCmos(0x05, 0xC0);
        clock.advanceTo(1_500_000_000L);
        assertFalse(irq.high, "23:59:59 is not the alarm");
        clock.advanceTo(2_000_000_000L);
        assertTrue(irq.high, "00:00:00 is");
        assertEquals(0xB0, cmos(0x0C) & ~0x40, "IRQF, AF, UF");
    }

    @Test
    void cmosRamIndexAndNmiMask() {
        setCmos(0x40, 0xA5);
        assertEquals(0xA5, cmos(0x40));
        assertEquals(0x0280, cmos(0x15) | cmos(0x16) << 8);
        assertEquals(0xFFFF, cmos(0x17) | cmos(0x18) << 8);
        rtc.write(PORTS, 0, 1, 0x80 | 0x40);               // NMI off, register 0x40
        assertTrue(rtc.nmiDisabled());
        assertEquals(0xA5, rtc.read(PORTS, 1, 1));
        assertEquals(0xFF, rtc.read(PORTS, 0, 1), "the index port is write-only");
        setCmos(0x0D, 0);
        assertEquals(0x80, cmos(0x0D), "register D is read-only");
    }

    @Test
    void sameGuestTimeSameReadingsAndStateCarriesOver() {
        clock.advanceTo(3_600_000_000_000L);
        setCmos(0x0B, 0x06);
        setCmos(0x50, 0x42);
        Mc146818.State s = rtc.save();
        RtcDevice other = device(0);                       // a different start: the state carries the clock
        other.restore(s);
        for (int reg : new int[] {0, 2, 4, 7, 8, 9, 0x0B, 0x50}) {
            other.write(PORTS, 0, 1, reg);
            assertEquals(cmos(reg), (int) other.read(PORTS, 1, 1), "register " + reg);
        }
    }

    @Test
    void randomProgrammingNeverThrows() {
        Random r = new Random(8);
        for (int i = 0; i < 100_000; i++) {
            int port = r.nextInt(2);
            if (r.nextBoolean()) rtc.write(PORTS, port, 1, r.nextInt(256));
            else rtc.read(PORTS, port, 1);
            if (r.nextInt(16) == 0) clock.advanceBy(r.nextInt(2_000_000_000));
        }
    }

    static final class Irq implements InterruptController {
        boolean high;
        final List<Boolean> edges = new ArrayList<>();

        public void setIrq(int line, boolean level) {
            assertEquals(8, line);
            high = level;
            edges.add(level);
        }
        public boolean hasPendingInterrupt() { return false; }
        public int acknowledge() { return -1; }
        public void setPendingListener(Runnable listener) {}
    }
}
