package pcm.ui.internal.commands;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import pcm.core.api.verify.ReplayTiming;
import pcm.core.api.verify.Verdict;

/**
 * Each verifier's replay speed over the windows of one run: instructions replayed per second and the
 * ratio of replay time to record time per window (median and range), the numbers that size how many
 * windows a host can verify. Thread-safe: verdicts arrive on verification workers.
 */
final class ReplaySpeed {

    private record Sample(String windowId, long instructions, ReplayTiming timing) { }

    private final Map<String, List<Sample>> byRcp = new TreeMap<>();

    synchronized void add(Verdict v, ReplayTiming t) {
        if (t.replayNanos() <= 0) return; // no replay ran (verifier missing, window unreadable)
        byRcp.computeIfAbsent(v.rcp(), k -> new ArrayList<>()).add(new Sample(v.windowId(), v.instructions(), t));
    }

    /** One line per verifier, counting only the given windows; empty if none was timed. */
    synchronized List<String> lines(Set<String> windows) {
        List<String> out = new ArrayList<>();
        byRcp.forEach((rcp, all) -> {
            List<Sample> s = all.stream().filter(x -> windows.contains(x.windowId())).toList();
            if (s.isEmpty()) return;
            long insns = s.stream().mapToLong(x -> Math.max(0, x.instructions())).sum();
            long nanos = s.stream().mapToLong(x -> x.timing().replayNanos()).sum();
            double[] ratios = s.stream().mapToDouble(x -> x.timing().ratio()).filter(r -> !Double.isNaN(r)).sorted().toArray();
            StringBuilder b = new StringBuilder(String.format(Locale.ROOT, "replay rcp=%s windows=%d insns=%d time=%.3fs speed=%.0f insns/s",
                    rcp, s.size(), insns, nanos / 1e9, nanos > 0 ? insns / (nanos / 1e9) : 0.0));
            if (ratios.length > 0) {
                b.append(String.format(Locale.ROOT, " replay/record=%.2f (min %.2f, max %.2f)",
                        ratios[ratios.length / 2], ratios[0], ratios[ratios.length - 1]));
            }
            out.add(b.toString());
        });
        return out;
    }
}
