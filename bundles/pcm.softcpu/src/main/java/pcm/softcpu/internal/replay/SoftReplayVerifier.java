package pcm.softcpu.internal.replay;

import java.util.List;
import java.util.function.LongConsumer;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import pcm.core.api.verify.Divergence;
import pcm.core.api.verify.FingerprintTracker;
import pcm.core.api.verify.ReplayStrategy;
import pcm.core.api.verify.ReplayVerifier;
import pcm.core.api.verify.Verdict;
import pcm.core.api.verify.Window;

/**
 * The software RCP ({@code pcm.rcp.id=soft}): replays a window on a fresh software CPU (see package-info
 * for the event conventions, the verdicts and the localisation method).
 */
@Component(service = ReplayVerifier.class, property = ReplayVerifier.ID + "=" + SoftReplayVerifier.ID)
@Designate(ocd = SoftReplayVerifier.Config.class)
public final class SoftReplayVerifier implements ReplayVerifier {

    public static final String ID = "soft";

    @ObjectClassDefinition(name = "PCM soft RCP (replay verifier on the software CPU)")
    public @interface Config {
        @AttributeDefinition(description = "On a final-state mismatch, replay again to find the first divergent position")
        boolean localise() default true;

        @AttributeDefinition(description = "Replay with the block compiler (docs/block-compiler.md): the same verdicts "
                + "and divergence positions as the interpreter alone, faster. On by default; the JVM option "
                + "-Dpcm.softcpu.jit=true|false, where given, overrides this")
        boolean block_compiler() default true;
    }

    private final boolean localise;
    /** Whether replays (and localisation passes) translate hot blocks. */
    private final boolean blockCompiler;

    /** @throws IllegalArgumentException when -Dpcm.softcpu.jit is neither true nor false (activation fails, naming it) */
    @Activate
    public SoftReplayVerifier(Config config) {
        this(config.localise(), pcm.softcpu.internal.SoftVcpu.blockCompilerFor(config.block_compiler()));
    }

    public SoftReplayVerifier(boolean localise) {
        this(localise, pcm.softcpu.internal.SoftVcpu.DEFAULT_BLOCK_COMPILER);
    }

    /** @param blockCompiler replay with the block compiler (tests compare both modes' verdicts) */
    public SoftReplayVerifier(boolean localise, boolean blockCompiler) {
        this.localise = localise;
        this.blockCompiler = blockCompiler;
    }

    public SoftReplayVerifier() {
        this(true);
    }

    @Override
    public String id() { return ID; }

    @Override
    public Verdict verify(Window window, ReplayStrategy strategy, LongConsumer progress) {
        String wid = "?";
        long insns = -1;
        try {
            if (window == null) return Verdict.inconclusive(ID, wid, -1, "no window");
            wid = String.valueOf(window.id());
            LongConsumer prog = progress == null ? p -> { } : safe(progress);
            Replay r;
            FingerprintTracker fps;
            MemoryTraceCheck mem = null;
            try {
                Replay.checkWindow(window);
                fps = new FingerprintTracker(window.events(), window.initial().registers());
                long[] at = fps.any() ? fps.positions(Long.MAX_VALUE) : null;
                r = new Replay(window, prog, at, at == null ? null : (pos, rp) -> fps.compare(pos, rp.vcpu.registers()),
                        Long.MAX_VALUE, null, blockCompiler);
                var trace = MemoryTraceCheck.traceOf(window);
                if (trace.isPresent()) {
                    try {
                        mem = MemoryTraceCheck.of(trace.get(), r.vcpu);
                    } catch (Replay.Stop s) {
                        r.close();
                        throw s;
                    }
                    r.checkMemory(mem);
                }
                var io = IoTraceCheck.traceOf(window);
                if (io.isPresent()) {
                    try {
                        r.ioCheck = IoTraceCheck.of(io.get());
                    } catch (Replay.Stop s) {
                        r.close();
                        throw s;
                    }
                }
            } catch (Replay.Stop s) {
                return stopped(s, wid, insns);
            }
            FinalState.Result fin;
            long consistent;
            try (r) {
                insns = r.endPosition;
                r.run();
                fin = FinalState.compare(r, window.end());
                consistent = r.consistentUpTo;
            } catch (Replay.Stop s) {
                Divergence cp = FingerprintTracker.earlier(FingerprintTracker.earlier(registerDivergence(r, fps, window, prog),
                        mem == null ? null : mem.divergence(insns, false).orElse(null)), ioDivergence(r, false));
                if (cp != null && (s.divergence == null || cp.position() <= s.divergence.position())) {
                    return Verdict.diverged(ID, wid, insns, cp);
                }
                return stopped(s, wid, insns);
            }
            // a memory access that differs from the trace is at its own instruction: the earliest evidence wins
            Divergence cp = FingerprintTracker.earlier(FingerprintTracker.earlier(registerDivergence(r, fps, window, prog),
                    mem == null ? null : mem.divergence(insns, true).orElse(null)), ioDivergence(r, true));
            if (fin.matches() && cp != null) {
                return Verdict.diverged(ID, wid, insns, cp.with(List.of("final state equal: the guest overwrote the"
                        + " divergent values before the window ended")));
            }
            if (fin.matches()) {
                return new Verdict(pcm.core.api.verify.Outcome.MATCH, ID, wid, insns, java.util.Optional.empty(),
                        "replayed " + insns + " instructions, " + window.events().size() + " events; registers, MSRs and "
                                + (window.end().memory().size() >> 12) + " pages equal"
                                + (mem == null ? "" : "; " + mem.compared() + " memory accesses equal to the trace")
                                + (r.ioCheck == null ? "" : "; " + r.ioCheck.compared() + " port writes equal to the I/O trace"));
            }
            if (!localise) {
                return Verdict.diverged(ID, wid, insns, new pcm.core.api.verify.Divergence(consistent,
                        window.end().registers().rip(), fin.lines()));
            }
            long[] cps = strategy == null ? new long[0] : strategy.checkpoints(window);
            try {
                Divergence d = Localiser.localise(window, insns, fin, consistent, cps, prog, blockCompiler);
                if (cp != null && cp.position() < d.position()) d = cp.with(d.differences());
                else if (cp != null) d = d.with(cp.differences());
                return Verdict.diverged(ID, wid, insns, d);
            } catch (Replay.Stop s) {
                return Verdict.inconclusive(ID, wid, insns, "final state differs but localisation failed: " + s.getMessage()
                        + "; " + String.join("; ", fin.lines()));
            }
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError && !(t instanceof OutOfMemoryError)) throw (VirtualMachineError) t;
            return Verdict.inconclusive(ID, wid, insns, "replay failed: " + t);
        }
    }

    /**
     * The first register disagreement: by a fingerprint (exact) or a checkpoint (located by tracing its interval only
     * when no fingerprint disagreed before it).
     */
    private Divergence registerDivergence(Replay r, FingerprintTracker fps, Window window, LongConsumer progress) {
        Divergence f = fps.divergence().orElse(null);
        Divergence cp = r.registerCheckpoints.divergence().orElse(null);
        if (cp == null) return f;
        if (f != null && f.position() <= cp.position()) return f; // a traced checkpoint is never before its interval
        return FingerprintTracker.earlier(checkpointDivergence(r, window, progress), f);
    }

    /**
     * The first register checkpoint disagreement of pass {@code r}, located exactly by last-writer tracing when the
     * checkpoints are sparse (docs/verification.md); the interval if that tracing pass fails.
     */
    private Divergence checkpointDivergence(Replay r, Window window, LongConsumer progress) {
        Divergence cp = r.registerCheckpoints.divergence().orElse(null);
        if (cp == null || r.registerCheckpoints.divergedAt() - r.registerCheckpoints.agreedAt() <= 1) return cp;
        try {
            Divergence traced = Localiser.byRegisterWriters(window, r.registerCheckpoints.agreedAt(), progress, blockCompiler);
            return traced != null ? traced : cp;
        } catch (Replay.Stop s) {
            return cp.with(List.of("tracing the registers' last writers failed: " + s.getMessage()));
        }
    }

    private static Divergence ioDivergence(Replay r, boolean reachedEnd) {
        return r.ioCheck == null ? null : r.ioCheck.divergence(reachedEnd, r.vcpu.rip()).orElse(null);
    }

    private static Verdict stopped(Replay.Stop s, String wid, long insns) {
        return s.divergence != null ? Verdict.diverged(ID, wid, insns, s.divergence)
                : Verdict.inconclusive(ID, wid, insns, s.getMessage());
    }

    private static LongConsumer safe(LongConsumer p) {
        return v -> {
            try {
                p.accept(v);
            } catch (RuntimeException e) {
                // a progress listener must not break the replay
            }
        };
    }
}
