package pcm.core.internal.log;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

import org.osgi.service.component.annotations.Component;

import pcm.core.api.event.EventKind;
import pcm.core.api.event.EventSink;
import pcm.core.api.event.PcmEvent;

/**
 * Live statistics of the event stream: counts by kind, windows started/ended, and events per
 * second over the last few seconds. Lock-free on the vCPU thread (a few adds).
 */
@Component(service = EventSink.class, property = "pcm.sink=statistics")
public final class StatisticsSink implements EventSink {

    private static final EventKind[] KINDS = EventKind.values();
    private static final int SLOTS = 16;
    /** Whole seconds the rate averages over (the current, partial second is left out). */
    public static final int RATE_SECONDS = 5;

    private final LongSupplier nanoTime;
    private final LongAdder[] byKind = new LongAdder[KINDS.length];
    private final LongAdder dataBytes = new LongAdder();
    private final LongAdder windowsStarted = new LongAdder();
    /** Per-second buckets: slot i holds second secs[i]. */
    private final AtomicLongArray secs = new AtomicLongArray(SLOTS);
    private final AtomicLongArray counts = new AtomicLongArray(SLOTS);
    private volatile long since;

    public StatisticsSink() {
        this(System::nanoTime);
    }

    StatisticsSink(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        for (int i = 0; i < byKind.length; i++) byKind[i] = new LongAdder();
        for (int i = 0; i < SLOTS; i++) secs.set(i, Long.MIN_VALUE);
        since = nanoTime.getAsLong();
    }

    @Override
    public void accept(PcmEvent e) {
        byKind[e.kind().ordinal()].increment();
        if (e.data().length > 0) {
            dataBytes.add(e.data().length);
            if (WindowMarkers.isStart(e)) windowsStarted.increment();
        }
        long s = Math.floorDiv(nanoTime.getAsLong(), 1_000_000_000L);
        int i = Math.floorMod(s, SLOTS);
        long old = secs.get(i);
        if (old != s) {
            if (secs.compareAndSet(i, old, s)) counts.set(i, 0);
        }
        counts.incrementAndGet(i);
    }

    /** Events seen by kind (kinds never seen are 0). */
    public Map<EventKind, Long> countsByKind() {
        Map<EventKind, Long> m = new EnumMap<>(EventKind.class);
        for (EventKind k : KINDS) m.put(k, byKind[k.ordinal()].sum());
        return m;
    }

    public long total() {
        long t = 0;
        for (LongAdder a : byKind) t += a.sum();
        return t;
    }

    /** Windows started (window-start markers) and ended (END events). */
    public long windowsStarted() { return windowsStarted.sum(); }

    public long windowsEnded() { return byKind[EventKind.END.ordinal()].sum(); }

    /** Bytes of event data (DMA, CPUID registers, text) seen. */
    public long dataBytes() { return dataBytes.sum(); }

    /** Average events per second over the last {@value #RATE_SECONDS} whole seconds. */
    public double eventsPerSecond() {
        long now = Math.floorDiv(nanoTime.getAsLong(), 1_000_000_000L);
        long sum = 0;
        for (long s = now - RATE_SECONDS; s < now; s++) {
            int i = Math.floorMod(s, SLOTS);
            if (secs.get(i) == s) sum += counts.get(i);
        }
        long lived = now - Math.floorDiv(since, 1_000_000_000L);
        return sum / (double) Math.max(1, Math.min(RATE_SECONDS, lived));
    }

    /** Zeroes every counter. */
    public void reset() {
        for (LongAdder a : byKind) a.reset();
        dataBytes.reset();
        windowsStarted.reset();
        for (int i = 0; i < SLOTS; i++) {
            secs.set(i, Long.MIN_VALUE);
            counts.set(i, 0);
        }
        since = nanoTime.getAsLong();
    }
}
