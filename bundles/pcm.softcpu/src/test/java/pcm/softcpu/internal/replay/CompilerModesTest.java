package pcm.softcpu.internal.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;
import pcm.core.api.event.RegisterCheckpoints;
import pcm.core.api.verify.Outcome;
import pcm.core.api.verify.ReplayStrategy;
import pcm.core.api.verify.Verdict;
import pcm.core.api.verify.Window;
import pcm.softcpu.internal.jit.JitStats;

/**
 * Window recording, replay and localisation give the same results with the block compiler (the default) and without
 * it (docs/block-compiler.md, issue 18): the same windows recorded by a compiled and an interpreting recorder; every
 * window, clean or with an injected fault, verified by a compiled and an interpreting soft RCP with the same outcome,
 * divergence position, RIP and evidence. The rest of the suite runs the default (compiled) mode, so this class is
 * where the interpreter-only mode keeps its end-to-end coverage; it covers each localisation path once (final-state
 * localisation with both strategies, fingerprints, last-writer tracing between sparse checkpoints) rather than
 * repeating the other replay tests in both modes.
 */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class CompilerModesTest {

    static final SoftReplayVerifier INTERPRETED = new SoftReplayVerifier(true, false);
    static final SoftReplayVerifier COMPILED = new SoftReplayVerifier(true, true);

    /** Windows of the embedded guest (param 64, ticks every 3,000), recorded with the compiler {@code on} or off. */
    static List<Window> record(boolean on, long checkpointEvery, boolean fingerprints, long seed, List<TestWindows.Plan> plans,
                               JitStats[] stats) throws Exception {
        List<Window> out = new ArrayList<>();
        try (TestWindows t = new TestWindows(64, 8 << 20, 1000, 3_000, seed)) {
            t.vcpu.setBlockCompiler(on);
            t.checkpointEvery = checkpointEvery;
            t.fingerprints = fingerprints;
            t.record(plans, out::add);
            if (stats != null) stats[0] = t.vcpu.blockCompilerStats();
        }
        return out;
    }

    static List<TestWindows.Plan> plans(int n, long length) {
        List<TestWindows.Plan> p = new ArrayList<>();
        for (int i = 0; i < n; i++) p.add(new TestWindows.Plan(2_000 + i * (length + 9_000), length));
        return p;
    }

    /** Everything a window holds that a verifier reads, as text: events in order, final registers and memory. */
    static String content(Window w) {
        StringBuilder b = new StringBuilder();
        for (PcmEvent e : w.events()) {
            b.append(e.kind()).append('@').append(e.position()).append(" rip ").append(Long.toHexString(e.rip()))
                    .append(" rcx ").append(e.rcx()).append(" a ").append(Long.toHexString(e.address())).append(" v ")
                    .append(Long.toHexString(e.value())).append(" d ").append(java.util.Arrays.hashCode(e.data())).append('\n');
        }
        b.append(w.initial().registers()).append('\n').append(w.end().registers()).append('\n');
        for (long page = 0; page < w.end().memory().size() >> 12; page++) b.append(w.end().memory().pageHash(page)).append(',');
        return b.toString();
    }

    /** Both verifiers' verdicts on {@code w}: equal in outcome and divergence; returns the interpreter's. */
    static Verdict both(Window w, ReplayStrategy s) {
        Verdict i = INTERPRETED.verify(w, s, p -> { });
        Verdict c = COMPILED.verify(w, s, p -> { });
        assertEquals(i.outcome(), c.outcome(), () -> "interpreted " + i + "\ncompiled " + c);
        assertEquals(i.divergence(), c.divergence(), () -> "interpreted " + i + "\ncompiled " + c);
        assertEquals(i.instructions(), c.instructions(), () -> "interpreted " + i + "\ncompiled " + c);
        return i;
    }

    /** How many instructions a compiled replay of {@code w} runs in translated blocks (the mode is really exercised). */
    static long compiledInstructions(Window w) throws Replay.Stop {
        try (Replay r = new Replay(w, q -> { }, null, null, Long.MAX_VALUE, null, true)) {
            r.run();
            return r.vcpu.blockCompilerStats().instructions;
        }
    }

    /** The same windows from both recorders; clean windows MATCH on both verifiers, with blocks run. */
    @Test
    void recordingAndCleanReplayAreTheSame() throws Exception {
        List<TestWindows.Plan> plans = plans(4, 60_000);
        JitStats[] stats = new JitStats[1];
        List<Window> interp = record(false, 1024, true, 3, plans, null);
        List<Window> compiled = record(true, 1024, true, 3, plans, stats);
        assertTrue(stats[0].instructions > 0, "the compiled recorder ran blocks: " + stats[0]);
        assertEquals(interp.size(), compiled.size());
        long inBlocks = 0;
        for (int i = 0; i < interp.size(); i++) {
            assertEquals(content(interp.get(i)), content(compiled.get(i)), "window " + i + " recorded differently");
            assertEquals(Outcome.MATCH, both(compiled.get(i), ReplayTest.FULL).outcome());
            inBlocks += compiledInstructions(compiled.get(i));
        }
        System.out.printf("compiler modes: %d windows recorded alike (compiled recorder: %s); compiled replays ran %,d"
                + " instructions in blocks%n", interp.size(), stats[0], inBlocks);
        assertTrue(inBlocks > 0, "compiled replays ran no block");
    }

    /**
     * Injected faults in windows with sparse checkpoints and fingerprints (the default recording): a memory byte (final
     * state, localised by the full and the checkpoint strategy), a logged input, a register bit (fingerprints).
     */
    @Test
    void faultsAreLocatedAlikeWithFingerprints() throws Exception {
        SplittableRandom rnd = new SplittableRandom(29);
        int n = 0;
        for (Window w : record(true, 1024, true, 7, plans(4, 40_000), null)) {
            long end = w.events().getLast().position();
            long pos = rnd.nextLong(end);
            Window mem = FaultInjectionTest.memoryByte(w, pos, (6L << 20) + rnd.nextLong(1 << 20), (byte) 0x5A);
            for (ReplayStrategy s : List.of(ReplayTest.FULL, ReplayTest.every(1000))) {
                assertEquals(pos, both(mem, s).divergence().orElseThrow().position());
            }
            for (int k = 0; k < w.events().size(); k++) {
                EventKind kd = w.events().get(k).kind();
                if (kd != EventKind.PIO_IN && kd != EventKind.RDTSC && kd != EventKind.RDRAND) continue;
                both(FaultInjectionTest.corrupt(w, k, kd == EventKind.PIO_IN ? 0x20 : 0x10000), ReplayTest.FULL);
                break;
            }
            long at = 1 + rnd.nextLong(end - 2);
            Verdict reg = both(SparseCheckpointTest.insert(w, RegisterCheckpoints.registerXor(0, at, rnd.nextInt(16), 1L << 40), "+reg"),
                    ReplayTest.FULL);
            assertEquals(Outcome.DIVERGED, reg.outcome(), reg::toString);
            n++;
        }
        System.out.println("compiler modes: faults located alike in " + n + " windows");
        assertTrue(n >= 3, "windows " + n);
    }

    /** Sparse checkpoints without fingerprints: a register fault is found by last-writer tracing, alike in both modes. */
    @Test
    void lastWriterTracingIsTheSame() throws Exception {
        SplittableRandom rnd = new SplittableRandom(31);
        int n = 0;
        for (Window w : record(true, 1024, false, 5, plans(3, 12_000), null)) {
            for (int k = 0; k < 3; k++) {
                long pos = 1 + rnd.nextLong(w.events().getLast().position() - 1024 - 2);
                Verdict v = both(SparseCheckpointTest.insert(w, RegisterCheckpoints.registerXor(0, pos, rnd.nextInt(16), 1L << rnd.nextInt(64)), "+reg"),
                        ReplayTest.FULL);
                if (v.outcome() == Outcome.DIVERGED) n++;
            }
        }
        System.out.println("compiler modes: " + n + " register faults found alike by last-writer tracing");
        assertTrue(n >= 4, "register faults found " + n);
    }
}
