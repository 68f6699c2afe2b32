package pcm.softcpu.internal.replay;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import pcm.core.api.tracer.IoTrace;
import pcm.core.api.tracer.IoTransactionListener;
import pcm.core.api.tracer.Trace;
import pcm.core.api.verify.Divergence;
import pcm.core.api.verify.Window;

/**
 * Compares the port writes of a replay with the window's I/O trace (the ITR's record, docs/verification.md, "I/O
 * traces"). The event log holds every value the guest got from a device, and MMIO writes, but not what it wrote to a
 * port (an OUT is no input): the I/O tracer saw those on the bus. The first OUT whose position, port, size or value
 * differs from the trace's next PORT_OUT is the divergence, at that instruction — a wrong value a device received
 * even when the registers that held it are right (or were overwritten since).
 */
final class IoTraceCheck {

    private final List<IoTrace.Transaction> outs;
    private final boolean complete;
    private int next;
    private Divergence divergence;

    private IoTraceCheck(List<IoTrace.Transaction> outs, boolean complete) {
        this.outs = outs;
        this.complete = complete;
    }

    /** The window's I/O trace to check against, if it has one (COMPLETE, format pcm-itr/1.x). */
    static Optional<Trace> traceOf(Window w) {
        try {
            for (Trace t : w.traces()) if (t.kind() == pcm.core.api.tracer.Tracer.Kind.IO && IoTrace.isIoTrace(t)) return Optional.of(t);
        } catch (RuntimeException e) {
            // no traces to check
        }
        return Optional.empty();
    }

    static IoTraceCheck of(Trace t) throws Replay.Stop {
        List<IoTrace.Transaction> outs = new ArrayList<>();
        try {
            IoTrace.forEach(t.data(), x -> {
                if (x.type() == IoTransactionListener.Type.PORT_OUT) outs.add(x);
            });
        } catch (IllegalArgumentException e) {
            throw Replay.Stop.inconclusive("the window's I/O trace (" + t.tracerId() + ") does not decode: " + e.getMessage());
        }
        return new IoTraceCheck(outs, !t.overflowed());
    }

    /** An OUT of the replay, at {@code position} (instructions retired before it). */
    void portOut(long position, int port, int size, long value, long rip) {
        if (divergence != null) return;
        long v = size >= 8 ? value : value & ((1L << (8 * size)) - 1);
        if (next >= outs.size()) {
            if (complete) divergence = new Divergence(position, rip, List.of("I/O trace: the replay wrote 0x" + Long.toHexString(v)
                    + " to port 0x" + Integer.toHexString(port) + " at position " + position + "; the trace has no more port writes"));
            next++;
            return;
        }
        IoTrace.Transaction t = outs.get(next++);
        if (t.position() == position && t.address() == port && t.size() == size && t.value() == v) return;
        divergence = new Divergence(Math.min(position, t.position()), rip, List.of("I/O trace: port write differs: recording wrote 0x"
                + Long.toHexString(t.value()) + " to port 0x" + Long.toHexString(t.address()) + " (" + t.size() + " bytes) at position "
                + t.position() + "; replay wrote 0x" + Long.toHexString(v) + " to port 0x" + Integer.toHexString(port) + " ("
                + size + " bytes) at position " + position));
    }

    /** The first difference; a replay that reached END with port writes of a complete trace left differs at the first. */
    Optional<Divergence> divergence(boolean reachedEnd, long rip) {
        if (divergence == null && reachedEnd && complete && next < outs.size()) {
            IoTrace.Transaction t = outs.get(next);
            return Optional.of(new Divergence(t.position(), rip, List.of("I/O trace: the recording wrote 0x" + Long.toHexString(t.value())
                    + " to port 0x" + Long.toHexString(t.address()) + " at position " + t.position() + "; the replay made no such write")));
        }
        return Optional.ofNullable(divergence);
    }

    int compared() { return Math.min(next, outs.size()); }
}
