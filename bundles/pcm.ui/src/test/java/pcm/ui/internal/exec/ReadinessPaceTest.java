package pcm.ui.internal.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The readiness thread's pace: fast on a host, never more than a fifth of a CPU where a look is slow. */
class ReadinessPaceTest {

    @Test
    void aQuickLookKeepsTheShortCadence() {
        assertEquals(ReadinessCondition.POLL_MILLIS, ReadinessCondition.pauseAfter(0));
        assertEquals(ReadinessCondition.POLL_MILLIS, ReadinessCondition.pauseAfter(3_000_000)); // 3 ms on a host
    }

    @Test
    void aSlowLookWaitsFourTimesAsLong() {
        // 250 ms per snapshot, as inside QEMU's software emulation: a 1 s pause, 20 % of one CPU at most
        assertEquals(1_000, ReadinessCondition.pauseAfter(250_000_000));
    }
}
