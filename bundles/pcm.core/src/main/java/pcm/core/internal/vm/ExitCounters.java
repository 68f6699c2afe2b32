package pcm.core.internal.vm;

import java.util.EnumMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

import pcm.core.api.exit.ExitDispatcher;
import pcm.core.api.vm.ExitKind;

/**
 * Exits by kind, written by the vCPU thread, read by anyone; and, of those, the ones a fallback
 * answered because a plug-in handler failed, timed out or is quarantined (per run: what the run's
 * summary reports), by kind and by the plug-in.
 */
final class ExitCounters {

    private final AtomicLongArray counts = new AtomicLongArray(ExitKind.values().length);
    private final AtomicLongArray fallbacks = new AtomicLongArray(ExitKind.values().length);
    private final Map<String, LongAdder> fallbacksByPlugin = new ConcurrentHashMap<>();

    void count(ExitKind kind) {
        counts.incrementAndGet(kind.ordinal());
    }

    /** Counts the dispatch if a fallback answered it. */
    void dispatched(ExitKind kind, ExitDispatcher.Dispatch d) {
        String plugin = d.fallbackFrom();
        if (plugin == null) return;
        fallbacks.incrementAndGet(kind.ordinal());
        fallbacksByPlugin.computeIfAbsent(plugin, p -> new LongAdder()).increment();
    }

    Map<ExitKind, Long> snapshot() {
        return snapshot(counts);
    }

    Map<ExitKind, Long> fallbackSnapshot() {
        return snapshot(fallbacks);
    }

    /** Fallback answers by the plug-in that should have answered ("bsn version #service.id"), sorted by name. */
    Map<String, Long> fallbacksByPlugin() {
        Map<String, Long> m = new TreeMap<>();
        fallbacksByPlugin.forEach((k, v) -> m.put(k, v.sum()));
        return m;
    }

    private static Map<ExitKind, Long> snapshot(AtomicLongArray a) {
        Map<ExitKind, Long> m = new EnumMap<>(ExitKind.class);
        for (ExitKind k : ExitKind.values()) {
            long v = a.get(k.ordinal());
            if (v != 0) m.put(k, v);
        }
        return m;
    }
}
