package pcm.core.internal.sampling;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.core.api.event.EventSink;
import pcm.core.api.event.PcmEvent;

/** Hands every event to all event sinks; a sink that throws is counted and logged, the others still get it. */
final class EventFanout {

    private static final Logger LOG = LoggerFactory.getLogger(EventFanout.class);

    private final Supplier<List<EventSink>> sinks;
    private final AtomicLong failures = new AtomicLong();

    EventFanout(Supplier<List<EventSink>> sinks) {
        this.sinks = sinks;
    }

    void emit(PcmEvent e) {
        for (EventSink s : sinks.get()) {
            try {
                s.accept(e);
            } catch (RuntimeException ex) {
                long n = failures.incrementAndGet();
                if (n <= 10 || Long.bitCount(n) == 1) LOG.warn("event sink {} failed on {} (failure #{})", s, e.kind(), n, ex);
            }
        }
    }
}
