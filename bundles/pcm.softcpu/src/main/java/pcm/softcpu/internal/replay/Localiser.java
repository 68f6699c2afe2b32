package pcm.softcpu.internal.replay;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.LongConsumer;

import pcm.core.api.verify.Divergence;
import pcm.core.api.verify.RegisterWriters;
import pcm.core.api.verify.Window;

/**
 * Finds the first divergent position of a window whose replay reached END with a different final state
 * (method: package-info). Every pass is a deterministic replay of the same window (pass 2 only up to its last
 * checkpoint).
 */
final class Localiser {

    private Localiser() { }

    /**
     * @param end         the window's END position (already validated by the pass that reached it)
     * @param checkpoints the strategy's checkpoint positions (ascending, may be empty: then the tracing pass
     *                    steps from position 0)
     */
    static Divergence localise(Window window, long end, FinalState.Result fin, long consistentUpTo, long[] checkpoints,
                               LongConsumer progress, boolean blockCompiler) throws Replay.Stop {
        List<FinalState.Diff> traced = new ArrayList<>();
        for (FinalState.Diff d : fin.diffs()) {
            if (d.kind() != FinalState.Kind.OTHER) traced.add(d);
        }
        int n = traced.size();
        // pass 2: the value of each differing location at position 0 and at every checkpoint; a location's last
        // change lies after the last checkpoint where it still differed from its final replay value
        long[] lastDiffering = new long[n];
        Arrays.fill(lastDiffering, -1);
        long[] cps = sanitize(checkpoints, end);
        long[] with0 = new long[cps.length + 1];
        System.arraycopy(cps, 0, with0, 1, cps.length);
        try (Replay r = new Replay(window, progress, with0, (pos, rp) -> {
            for (int i = 0; i < n; i++) {
                if (traced.get(i).read(rp) != traced.get(i).replay()) lastDiffering[i] = pos;
            }
        }, Long.MAX_VALUE, null, blockCompiler)) {
            r.runThroughCheckpoints(); // nothing after the last checkpoint is observed
        }
        long from = Long.MAX_VALUE;
        for (int i = 0; i < n; i++) {
            if (lastDiffering[i] >= 0) from = Math.min(from, lastDiffering[i]);
        }
        List<String> lines = new ArrayList<>();
        lines.addAll(fin.lines());
        lines.add("replay consistent with every logged event up to position " + consistentUpTo);
        if (from == Long.MAX_VALUE) {
            lines.add("no differing location was changed by the replay: the recorded CPU wrote them; first divergence at or"
                    + " after position " + consistentUpTo);
            return new Divergence(consistentUpTo, window.end().registers().rip(), lines);
        }
        // pass 3: step by step from there, the last instruction that changed each location
        long[] lastChange = new long[n], lastRip = new long[n], cur = new long[n];
        Arrays.fill(lastChange, -1);
        final long start = from;
        try (Replay r = new Replay(window, progress, null, null, start, new Replay.Tracer() {
            @Override
            public void begin(Replay rp) {
                for (int i = 0; i < n; i++) cur[i] = traced.get(i).read(rp);
            }

            @Override
            public void changed(long position, long rip, Replay rp) {
                for (int i = 0; i < n; i++) {
                    long v = traced.get(i).read(rp);
                    if (v != cur[i]) {
                        cur[i] = v;
                        lastChange[i] = position;
                        lastRip[i] = rip;
                    }
                }
            }
        }, blockCompiler)) {
            r.run();
        }
        int best = -1;
        for (int i = 0; i < n; i++) {
            if (lastChange[i] >= 0 && lastDiffering[i] >= 0 && (best < 0 || lastChange[i] < lastChange[best])) best = i;
        }
        if (best < 0) {
            lines.add("tracing from position " + start + " saw no change of the differing locations");
            return new Divergence(consistentUpTo, window.end().registers().rip(), lines);
        }
        for (int i = 0; i < n && i < 32; i++) {
            FinalState.Diff d = traced.get(i);
            String name = d.kind() == FinalState.Kind.MEM ? "byte 0x" + Long.toHexString(d.key())
                    : d.text().substring(0, d.text().indexOf(':'));
            lines.add(name + (lastChange[i] >= 0 ? " last written by the instruction at position " + lastChange[i]
                    + " (rip 0x" + Long.toHexString(lastRip[i]) + ")" : " not written by the replay after position " + start));
        }
        lines.add("first divergence: position " + lastChange[best] + ", the earliest last write of a differing location ("
                + (cps.length == 0 ? "traced from position 0" : "checkpoints every ~" + (cps.length > 1 ? cps[1] - cps[0] : cps[0])
                        + ", traced from " + start) + ")");
        return new Divergence(lastChange[best], lastRip[best], lines);
    }

    /**
     * A register checkpoint disagreed more than one instruction after the last agreeing one ({@code agreedAt}):
     * replays again, from {@code agreedAt} one step at a time tracing the last writer of every register, up to that
     * checkpoint; the divergence is the earliest last writer of a differing register (CheckpointTracker). Returns
     * null if the pass does not reach the disagreeing checkpoint again (it is deterministic, so it should).
     */
    static Divergence byRegisterWriters(Window window, long agreedAt, LongConsumer progress, boolean blockCompiler) throws Replay.Stop {
        try (Replay r = new Replay(window, progress, null, null, agreedAt, new Replay.Tracer() {
            private RegisterWriters writers;

            @Override
            public void begin(Replay rp) {
                writers = new RegisterWriters(rp.vcpu.registers());
                rp.registerCheckpoints.traceWriters(writers);
            }

            @Override
            public void changed(long position, long rip, Replay rp) {
                writers.changed(position, rip, rp.vcpu.registers());
            }
        }, blockCompiler)) {
            r.stopAtCheckpointDivergence = true;
            try {
                r.run();
            } catch (Replay.Stop s) {
                if (s.divergence == null) throw s;
            }
            return r.registerCheckpoints.divergence().orElse(null);
        }
    }

    private static long[] sanitize(long[] cps, long end) {
        if (cps == null) return new long[0];
        return Arrays.stream(cps).filter(c -> c > 0 && c < end).sorted().distinct().toArray();
    }
}
