package pcm.softcpu.internal.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;
import pcm.core.api.verify.Outcome;
import pcm.core.api.verify.ReplayStrategy;
import pcm.core.api.verify.Verdict;
import pcm.core.api.verify.Window;

/** Windows of the embedded guest recorded on the soft CPU replay to MATCH, whatever their start and length. */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReplayTest {

    static final ReplayStrategy FULL = new ReplayStrategy() {
        @Override public String id() { return "full"; }
        @Override public long[] checkpoints(Window w) { return new long[0]; }
    };

    static ReplayStrategy every(long n) {
        return new ReplayStrategy() {
            @Override public String id() { return "checkpoint"; }
            @Override public long[] checkpoints(Window w) {
                long end = w.events().get(w.events().size() - 1).position();
                long[] c = new long[(int) (end / n)];
                for (int i = 0; i < c.length; i++) c[i] = (i + 1) * n;
                return c;
            }
        };
    }

    /** Plans {@code count} windows at random starts (after {@code from}) with lengths up to {@code maxLen}. */
    static List<TestWindows.Plan> plans(long seed, int count, long from, long total, long maxLen) {
        SplittableRandom r = new SplittableRandom(seed);
        List<TestWindows.Plan> p = new ArrayList<>();
        long at = from;
        long slot = (total - from) / count;
        for (int i = 0; i < count; i++) {
            long start = at + r.nextLong(Math.max(1, slot / 3));
            long len = 1 + r.nextLong(Math.min(maxLen, Math.max(2, slot - (start - at))));
            p.add(new TestWindows.Plan(start, len));
            at = start + len + 1;
        }
        return p;
    }

    @Test
    void everyRecordedWindowMatches() throws Exception {
        SoftReplayVerifier v = new SoftReplayVerifier();
        int[] windows = {0};
        Map<EventKind, Integer> kinds = new EnumMap<>(EventKind.class);
        int[] withInterrupts = {0}, withIo = {0}, withDma = {0};
        long[] insns = {0};
        List<String> bad = new ArrayList<>();
        // param, tick interval, seed, windows, max length
        long[][] runs = {{16, 20_000, 1, 40, 30_000}, {64, 5_000, 2, 60, 20_000}, {32, 50_000, 3, 40, 120_000},
            {64, 2_000, 4, 50, 8_000}, {8, 3_000, 5, 30, 40_000}, {64, 7_000, 6, 12, 400_000},
            {48, 4_000, 7, 16, 300_000}, {96, 9_000, 8, 12, 600_000},
            // tiling: consecutive windows of a fixed length over the whole run (every progress print falls in one)
            {64, 3_000, 9, -40, 20_000}, {32, 6_000, 10, -30, 13_000}};
        for (long[] run : runs) {
            long total = (long) (run[0] * 12_000 + 20_000); // about the guest's length for that param
            try (TestWindows t = new TestWindows(run[0], 8 << 20, 1000, run[1], run[2])) {
                List<TestWindows.Plan> plan = run[3] > 0 ? plans(run[2], (int) run[3], 0, total, run[4]) : new ArrayList<>();
                for (int i = 0; run[3] < 0 && i < -run[3]; i++) plan.add(new TestWindows.Plan(1000 + i * (run[4] + 1), run[4]));
                t.record(plan, w -> {
                    windows[0]++;
                    Verdict verdict = v.verify(w, windows[0] % 2 == 0 ? FULL : every(5000), p -> { });
                    if (verdict.outcome() != Outcome.MATCH) bad.add(w.id() + ": " + verdict);
                    boolean irq = false, io = false, dma = false;
                    for (PcmEvent e : w.events()) {
                        kinds.merge(e.kind(), 1, Integer::sum);
                        irq |= e.kind() == EventKind.INTERRUPT;
                        io |= e.kind() == EventKind.PIO_IN || e.kind() == EventKind.MMIO_READ || e.kind() == EventKind.MMIO_WRITE;
                        dma |= e.kind() == EventKind.DMA_WRITE;
                    }
                    if (irq) withInterrupts[0]++;
                    if (io) withIo[0]++;
                    if (dma) withDma[0]++;
                    insns[0] += verdict.instructions();
                });
                assertTrue(t.console.toString().contains("PCM-GUEST-DONE"), t.console.toString());
            }
        }
        System.out.printf("replayed %d windows (%d instructions): %d with interrupts, %d with I/O, %d with DMA; events %s%n",
                windows[0], insns[0], withInterrupts[0], withIo[0], withDma[0], kinds);
        assertEquals(List.of(), bad);
        assertTrue(windows[0] >= 200, "windows " + windows[0]);
        assertTrue(withInterrupts[0] >= 100 && withIo[0] >= 40 && withDma[0] >= 30,
                withInterrupts[0] + " / " + withIo[0] + " / " + withDma[0]);
    }
}
