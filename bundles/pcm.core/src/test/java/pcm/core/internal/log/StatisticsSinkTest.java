package pcm.core.internal.log;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;

class StatisticsSinkTest {

    @Test
    void countsAndRate() {
        AtomicLong clock = new AtomicLong(1_000_000_000_000L);
        StatisticsSink s = new StatisticsSink(clock::get);
        s.accept(WindowMarkers.startEvent(0, "w", null, 0));
        for (int sec = 0; sec < 10; sec++) {
            for (int i = 0; i < 100; i++) s.accept(new PcmEvent(EventKind.RDTSC, 0, i, 0, 0, 0, 0, null, 0));
            clock.addAndGet(1_000_000_000L);
        }
        s.accept(new PcmEvent(EventKind.DMA_WRITE, 0, 1, 0, 0, 0, 0, new byte[100], 0));
        s.accept(new PcmEvent(EventKind.END, 0, 1, 0, 0, 0, 0, null, 0));
        assertEquals(1000, s.countsByKind().get(EventKind.RDTSC));
        assertEquals(0, s.countsByKind().get(EventKind.NMI));
        assertEquals(1003, s.total());
        assertEquals(1, s.windowsStarted());
        assertEquals(1, s.windowsEnded());
        assertEquals(100.0, s.eventsPerSecond(), 1e-9);
        clock.addAndGet(20_000_000_000L);
        assertEquals(0.0, s.eventsPerSecond(), 1e-9);
        s.reset();
        assertEquals(0, s.total());
    }
}
