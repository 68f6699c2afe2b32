package pcm.core.internal.vm;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

import pcm.core.api.vm.ExitKind;

/** Exits by kind, written by the vCPU thread, read by anyone. */
final class ExitCounters {

    private final AtomicLongArray counts = new AtomicLongArray(ExitKind.values().length);

    void count(ExitKind kind) {
        counts.incrementAndGet(kind.ordinal());
    }

    Map<ExitKind, Long> snapshot() {
        Map<ExitKind, Long> m = new EnumMap<>(ExitKind.class);
        for (ExitKind k : ExitKind.values()) {
            long v = counts.get(k.ordinal());
            if (v != 0) m.put(k, v);
        }
        return m;
    }
}
