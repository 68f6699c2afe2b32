package pcm.softcpu.internal.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import pcm.core.api.tracer.MemoryAccessListener;
import pcm.core.api.tracer.MemoryTrace;
import pcm.core.api.tracer.Trace;
import pcm.core.api.verify.Divergence;
import pcm.core.api.verify.Window;
import pcm.softcpu.internal.SoftVcpu;

/**
 * Compares every guest memory access of a replay with the window's memory trace (the MTR's record,
 * docs/verification.md, "Memory traces"): the replay's soft CPU reports its loads and stores in the order it makes
 * them, the trace holds the recording CPU's in its order, and the first access that differs (position, address,
 * load/store, size or data) is the divergence — at the instruction that made it. A wrong store the guest overwrote
 * before the window ended changes neither the registers nor the final memory; only the trace shows it.
 * <p>
 * An overflowed trace is compared up to its last kept record. Called on the replay's vCPU thread, inside the
 * interpreter: it never throws, it notes the first difference and stops comparing.
 */
final class MemoryTraceCheck implements MemoryAccessListener {

    private final long[] position, gpa, data;
    private final byte[] flags;
    private final int count;
    private final boolean complete;
    private final SoftVcpu vcpu;
    private int next;
    private Divergence divergence;

    private MemoryTraceCheck(List<MemoryTrace.Access> accesses, boolean complete, SoftVcpu vcpu) {
        this.count = accesses.size();
        this.complete = complete;
        this.vcpu = vcpu;
        position = new long[count];
        gpa = new long[count];
        data = new long[count];
        flags = new byte[count];
        for (int i = 0; i < count; i++) {
            MemoryTrace.Access a = accesses.get(i);
            position[i] = a.position();
            gpa[i] = a.gpa();
            data[i] = a.data();
            flags[i] = (byte) ((a.write() ? 0x80 : 0) | a.size());
        }
    }

    /** The window's memory trace to check against, if it has one (COMPLETE, format pcm-mtr/1.x). */
    static Optional<Trace> traceOf(Window w) {
        try {
            for (Trace t : w.traces()) if (t.kind() == pcm.core.api.tracer.Tracer.Kind.MEMORY && MemoryTrace.isMemoryTrace(t)) return Optional.of(t);
        } catch (RuntimeException e) {
            // a window implementation that fails to list its traces has none to check
        }
        return Optional.empty();
    }

    /**
     * A checker for {@code t} on {@code vcpu}.
     *
     * @throws Replay.Stop (inconclusive) if the trace does not decode: it cannot be used, and is damage
     */
    static MemoryTraceCheck of(Trace t, SoftVcpu vcpu) throws Replay.Stop {
        List<MemoryTrace.Access> a = new ArrayList<>();
        try {
            MemoryTrace.forEach(t.data(), a::add);
        } catch (IllegalArgumentException e) {
            throw Replay.Stop.inconclusive("the window's memory trace (" + t.tracerId() + ") does not decode: " + e.getMessage());
        }
        return new MemoryTraceCheck(a, !t.overflowed(), vcpu);
    }

    @Override
    public void access(long pos, long address, boolean write, int size, long value) {
        if (divergence != null) return;
        if (next >= count) {
            if (complete) {
                divergence = new Divergence(pos, vcpu.rip(), List.of("memory trace: the replay " + what(write, size, address, value)
                        + " at position " + pos + "; the trace ends after " + count + " accesses"));
            }
            next++;
            return;
        }
        int i = next++;
        boolean tWrite = (flags[i] & 0x80) != 0;
        int tSize = flags[i] & 0x0F;
        if (position[i] == pos && gpa[i] == address && tWrite == write && tSize == size && data[i] == value) return;
        long at = Math.min(pos, position[i]);
        divergence = new Divergence(at, vcpu.rip(), List.of("memory trace: " + (tWrite && write && position[i] == pos
                && gpa[i] == address && tSize == size ? "wrong store" : "access differs") + " at position " + at
                + ": recording " + what(tWrite, tSize, gpa[i], data[i]) + " at position " + position[i] + "; replay "
                + what(write, size, address, value) + " at position " + pos));
    }

    private static String what(boolean write, int size, long address, long value) {
        return (write ? "stored " : "loaded ") + size + " bytes 0x" + Long.toHexString(value) + " at 0x" + Long.toHexString(address);
    }

    /**
     * The first difference, once the replay reached {@code end} (its END) — a replay that made fewer accesses than a
     * complete trace differs at the first one it did not make.
     */
    Optional<Divergence> divergence(long end, boolean reachedEnd) {
        if (divergence == null && reachedEnd && complete && next < count) {
            return Optional.of(new Divergence(position[next], vcpu.rip(), List.of("memory trace: the recording "
                    + what((flags[next] & 0x80) != 0, flags[next] & 0x0F, gpa[next], data[next]) + " at position " + position[next]
                    + "; the replay made no such access (" + next + " of " + count + " accesses made, END at " + end + ")")));
        }
        return Optional.ofNullable(divergence);
    }

    /** Accesses compared so far. */
    int compared() { return Math.min(next, count); }

    int traced() { return count; }
}
