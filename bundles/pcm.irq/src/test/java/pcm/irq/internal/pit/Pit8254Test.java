package pcm.irq.internal.pit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class Pit8254Test {

    /** A clock the test moves by hand. */
    private long now = 1_000_000_000L;
    private final Pit8254 pit = new Pit8254(() -> now);

    private static long nanosOfTicks(long ticks) {
        return Pit8254.nanosFor(ticks);
    }

    private void advanceTicks(long ticks) {
        now += nanosOfTicks(ticks);
    }

    private void program(int channel, int mode, int count) {
        pit.write(3, (channel << 6) | 0x30 | (mode << 1));   // lobyte/hibyte
        pit.write(channel, count & 0xFF);
        pit.write(channel, (count >> 8) & 0xFF);
    }

    private int readCount(int channel) {
        int lo = pit.read(channel);
        int hi = pit.read(channel);
        return lo | (hi << 8);
    }

    @Test
    void tickConversionIsExactAndDoesNotOverflow() {
        assertEquals(Pit8254.FREQUENCY, Pit8254.ticks(1_000_000_000L));
        assertEquals(0, Pit8254.ticks(-5));
        long year = 365L * 24 * 3600 * 1_000_000_000L;
        assertEquals(365L * 24 * 3600 * Pit8254.FREQUENCY, Pit8254.ticks(year));
        for (long t : new long[] {1, 2, 1193, 11932, 1_193_181, 1_193_182, 5_000_000_000L}) {
            long ns = Pit8254.nanosFor(t);
            assertEquals(t, Pit8254.ticks(ns), "ticks(nanosFor(t)) for " + t);
            assertEquals(t - 1, Pit8254.ticks(ns - 1));
        }
    }

    @Test
    void mode0CountsDownAndRaisesOutputOnceAtTerminalCount() {
        program(0, 0, 1000);
        assertFalse(pit.output(0));
        assertEquals(1000, readCount(0));
        advanceTicks(300);
        assertEquals(700, readCount(0));
        assertFalse(pit.output(0));
        assertEquals(0, pit.takeRisingEdges(0, now));
        advanceTicks(700);
        assertTrue(pit.output(0));
        assertEquals(1, pit.takeRisingEdges(0, now));
        advanceTicks(100_000);
        assertEquals(0, pit.takeRisingEdges(0, now), "mode 0 is one-shot");
        assertEquals(Long.MAX_VALUE, pit.nextRisingEdge(0, now));
    }

    @Test
    void mode0ReloadRestartsTheOneShot() {
        program(0, 0, 100);
        advanceTicks(200);
        assertEquals(1, pit.takeRisingEdges(0, now));
        program(0, 0, 50);
        assertFalse(pit.output(0));
        advanceTicks(50);
        assertEquals(1, pit.takeRisingEdges(0, now));
    }

    @Test
    void mode2IsARateGeneratorWithOneEdgePerPeriod() {
        program(0, 2, 1193);     // ~1000 Hz
        long start = now;
        assertEquals(start + nanosOfTicks(1193), pit.nextRisingEdge(0, now));
        advanceTicks(1193 * 10 + 5);
        assertEquals(10, pit.takeRisingEdges(0, now));
        assertEquals(0, pit.takeRisingEdges(0, now), "edges are consumed");
        assertEquals(1193 - 5, readCount(0));
        assertEquals(start + nanosOfTicks(1193 * 11), pit.nextRisingEdge(0, now));
    }

    @Test
    void mode2OutputGoesLowForOneTickBeforeReload() {
        program(0, 2, 10);
        advanceTicks(8);
        assertTrue(pit.output(0));
        advanceTicks(1);
        assertFalse(pit.output(0));
        advanceTicks(1);
        assertTrue(pit.output(0));
    }

    @Test
    void mode3IsASquareWaveAndCountsByTwo() {
        program(0, 3, 100);
        assertTrue(pit.output(0));
        advanceTicks(10);
        assertEquals(80, readCount(0));
        advanceTicks(40);
        assertFalse(pit.output(0), "second half of the period is low");
        advanceTicks(50);
        assertTrue(pit.output(0));
        assertEquals(1, pit.takeRisingEdges(0, now));
    }

    @Test
    void pulseRateMatchesTheDivisorOverASecond() {
        int divisor = 11932;     // 100 Hz
        program(0, 2, divisor);
        long edges = 0;
        for (int i = 0; i < 1000; i++) {   // poll every millisecond
            now += 1_000_000L;
            edges += pit.takeRisingEdges(0, now);
        }
        assertEquals(Pit8254.FREQUENCY / divisor, edges);
    }

    @Test
    void countOfZeroMeans65536() {
        program(0, 2, 0);
        assertEquals(0, readCount(0));
        advanceTicks(1);
        assertEquals(65535, readCount(0));
        advanceTicks(65535);
        assertEquals(1, pit.takeRisingEdges(0, now));
    }

    @Test
    void latchCommandFreezesTheReadoutUntilBothBytesAreRead() {
        program(0, 2, 5000);
        advanceTicks(1000);
        pit.write(3, 0x00);      // latch channel 0
        advanceTicks(1000);
        int lo = pit.read(0);
        pit.write(3, 0x00);      // a second latch before the read completes is ignored
        advanceTicks(1000);
        int hi = pit.read(0);
        assertEquals(4000, lo | (hi << 8));
        assertEquals(2000, readCount(0), "after the latched value, reads are live again");
    }

    @Test
    void lobyteAndHibyteAccessModes() {
        pit.write(3, 0x14);      // channel 0, lobyte only, mode 2
        pit.write(0, 200);
        assertEquals(200, pit.reload(0));
        assertEquals(200, pit.read(0));
        pit.write(3, 0x24);      // channel 0, hibyte only, mode 2
        pit.write(0, 0x12);
        assertEquals(0x1200, pit.reload(0));
        assertEquals(0x12, pit.read(0));
    }

    @Test
    void controlWordStopsTheCounterUntilACountIsWritten() {
        program(0, 2, 100);
        pit.write(3, 0x34);
        assertEquals(0, pit.reload(0));
        advanceTicks(1000);
        assertEquals(0, pit.takeRisingEdges(0, now));
        assertEquals(Long.MAX_VALUE, pit.nextRisingEdge(0, now));
        pit.write(0, 100);
        assertEquals(Long.MAX_VALUE, pit.nextRisingEdge(0, now), "only the low byte so far");
        pit.write(0, 0);
        advanceTicks(100);
        assertEquals(1, pit.takeRisingEdges(0, now));
    }

    @Test
    void readBackLatchesStatusAndCount() {
        program(1, 2, 300);
        advanceTicks(100);
        pit.write(3, 0xC0 | 0x04);   // read-back: count and status of channel 1
        int status = pit.read(1);
        assertEquals(0x80 | 0x30 | (2 << 1), status, "OUT high, lobyte/hibyte, mode 2, binary");
        assertEquals(200, readCount(1));
        pit.write(3, 0xE0 | 0x04);   // status only, before a new load: null count clear
        assertEquals(0, pit.read(1) & 0x40);
    }

    @Test
    void mode6And7AliasModes2And3() {
        pit.write(3, 0x3C);      // mode 6
        assertEquals(2, pit.mode(0));
        pit.write(3, 0x3E);      // mode 7
        assertEquals(3, pit.mode(0));
    }

    @Test
    void channel2GateAndOutputThroughPortB() {
        assertEquals(0, pit.readPortB() & 0x03);
        program(2, 0, 50);
        pit.writePortB(0x01);    // gate on
        assertEquals(0x01, pit.readPortB() & 0x03);
        assertEquals(0, pit.readPortB() & 0x20);
        advanceTicks(50);
        assertEquals(0x20, pit.readPortB() & 0x20, "terminal count visible on bit 5 (TSC calibration)");
    }

    @Test
    void gateRisingEdgeRestartsMode2OnChannel2() {
        program(2, 2, 100);
        advanceTicks(60);
        pit.writePortB(0x00);
        pit.writePortB(0x01);
        assertEquals(100, readCount(2));
    }

    @Test
    void mode4StrobesOnce() {
        program(0, 4, 10);
        assertTrue(pit.output(0));
        advanceTicks(10);
        assertFalse(pit.output(0));
        advanceTicks(1);
        assertTrue(pit.output(0));
        assertEquals(1, pit.takeRisingEdges(0, now));
        advanceTicks(1000);
        assertEquals(0, pit.takeRisingEdges(0, now));
    }

    @Test
    void saveAndRestoreKeepCountingFromTheSameLoadTime() {
        program(0, 2, 1000);
        advanceTicks(2500);
        pit.takeRisingEdges(0, now);
        Pit8254.State state = pit.save();

        Pit8254 copy = new Pit8254(() -> now);
        copy.restore(state);
        assertEquals(state, copy.save());
        assertEquals(500, copy.counter(0));
        advanceTicks(500);
        assertEquals(1, copy.takeRisingEdges(0, now));
    }
}
