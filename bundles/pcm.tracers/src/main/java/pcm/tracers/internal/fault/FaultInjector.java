package pcm.tracers.internal.fault;

import java.util.ArrayList;
import java.util.List;

import pcm.core.api.event.EventKind;
import pcm.core.api.cpu.Registers;
import pcm.core.api.event.PcmEvent;
import pcm.core.api.event.RegisterCheckpoints;
import pcm.core.api.verify.RecordingCpu;
import pcm.core.api.verify.Snapshot;
import pcm.core.api.verify.Window;
import pcm.core.api.tracer.MemoryTrace;
import pcm.core.api.tracer.Trace;

/**
 * Corrupts a recorded window in controlled ways, so that a verifier must report DIVERGED at a known
 * position: a logged input value (the state after the consuming instruction differs), one memory
 * byte at position N (a synthetic DMA_WRITE the recording never had), register bits at position N (a
 * synthetic REG_WRITE), or a wrong store the guest overwrote before reading it (in the window's memory trace). The
 * original is not modified; a corrupted window keeps the original's traces.
 */
public final class FaultInjector {

    private FaultInjector() { }

    /** A window with other events (same snapshots). */
    public record Corrupted(String id, String backend, RecordingCpu cpu, Snapshot initial, List<PcmEvent> events,
                            Snapshot end, String fault, List<Trace> traces) implements Window {
        /** With the traces of {@code from} (a corrupted window keeps what its tracers recorded). */
        Corrupted(String id, String backend, RecordingCpu cpu, Snapshot initial, List<PcmEvent> events, Snapshot end,
                  String fault, Window from) {
            this(id, backend, cpu, initial, events, end, fault, from.traces());
        }
    }

    /**
     * A wrong store the guest hid: the {@code n}-th store of the window's memory trace whose bytes the guest stores
     * again (same address and size) before any other access touches them gets {@code mask} XORed into its data — what
     * the memory tracer records when the CPU stores a wrong value there. Registers and memory are those of the
     * original window (the overwrite restored them), so only the trace shows the fault, at that store's position.
     * Null if the window has no memory trace or fewer such stores.
     */
    public static Corrupted hiddenWrongStore(Window w, int n, long mask) {
        Trace mtr = w.traces().stream().filter(MemoryTrace::isMemoryTrace).findFirst().orElse(null);
        if (mtr == null || mask == 0) return null;
        List<MemoryTrace.Access> a = MemoryTrace.decode(mtr.data());
        int seen = 0;
        for (int i = 0; i < a.size(); i++) {
            MemoryTrace.Access s = a.get(i);
            if (!s.write() || !overwrittenUnread(a, i)) continue;
            if (seen++ != n) continue;
            long sizeMask = s.size() >= 8 ? -1L : (1L << (8 * s.size())) - 1;
            if ((mask & sizeMask) == 0) return null;
            MemoryTrace.Writer out = new MemoryTrace.Writer(mtr.data().length + 64);
            for (int j = 0; j < a.size(); j++) {
                MemoryTrace.Access x = a.get(j);
                out.access(x.position(), x.gpa(), x.write(), x.size(), j == i ? x.data() ^ (mask & sizeMask) : x.data());
            }
            List<Trace> traces = new ArrayList<>();
            for (Trace t : w.traces()) {
                traces.add(t != mtr ? t : new Trace(t.tracerId(), t.kind(), t.status(), t.reason(), t.format(), t.records(),
                        t.dropped(), out.buffer().bytes()));
            }
            return new Corrupted(w.id() + "+store@" + s.position(), w.backend(), w.cpu(), w.initial(), w.events(), w.end(),
                    "store of " + s.size() + " bytes at 0x" + Long.toHexString(s.gpa()) + " at position " + s.position()
                            + " data ^ 0x" + Long.toHexString(mask & sizeMask) + " (overwritten later)", List.copyOf(traces));
        }
        return null;
    }

    /** Whether the next access touching the bytes of store {@code i} is a store of the same address and size. */
    static boolean overwrittenUnread(List<MemoryTrace.Access> a, int i) {
        MemoryTrace.Access s = a.get(i);
        for (int j = i + 1; j < a.size(); j++) {
            MemoryTrace.Access x = a.get(j);
            if (x.gpa() < s.gpa() + s.size() && s.gpa() < x.gpa() + x.size()) {
                return x.write() && x.gpa() == s.gpa() && x.size() == s.size() && x.position() > s.position();
            }
        }
        return false;
    }

    /**
     * XORs {@code mask} into the value of the {@code n}-th input event (kinds that carry a value the
     * guest consumes; CPUID: into EAX of its data too). Returns null if there is no such event.
     */
    public static Corrupted corruptInput(Window w, int n, long mask) {
        List<PcmEvent> ev = new ArrayList<>(w.events());
        int seen = 0;
        for (int i = 0; i < ev.size(); i++) {
            PcmEvent e = ev.get(i);
            if (!isInput(e.kind())) continue;
            if (seen++ != n) continue;
            byte[] data = e.data().clone();
            if (e.kind() == EventKind.CPUID && data.length >= 4) {
                for (int b = 0; b < 4; b++) data[b] ^= (byte) (mask >>> (8 * b));
            }
            ev.set(i, new PcmEvent(e.kind(), e.vcpu(), e.position(), e.rip(), e.rcx(), e.address(), e.value() ^ mask,
                    data, e.timestampNanos()));
            return new Corrupted(w.id() + "+input" + n, w.backend(), w.cpu(), w.initial(), List.copyOf(ev), w.end(),
                    e.kind() + " at position " + e.position() + " value ^ 0x" + Long.toHexString(mask), w);
        }
        return null;
    }

    /** Whether events of this kind feed a value into the guest. */
    public static boolean isInput(EventKind k) {
        return switch (k) {
            case RDTSC, RDTSCP, RDRAND, RDSEED, RDPMC, CPUID, MSR_READ, VMCALL, PIO_IN, MMIO_READ -> true;
            default -> false;
        };
    }

    /**
     * Flips the bits of {@code mask} in register {@code index} ({@code Registers.toArray()} order; -1: a general
     * register, RSP excluded, whose value is the same at the register evidence before and after {@code position} —
     * the nearest CHECKPOINT or the initial/final snapshot — so that the instructions there most likely leave it
     * alone) when exactly {@code position} instructions have retired: a REG_WRITE that XORs
     * ({@link RegisterCheckpoints#registerXor}), after a checkpoint at that position and before the other events
     * there. Returns null if the window ends before {@code position} or no register qualifies.
     */
    public static Corrupted registerBits(Window w, long position, int index, long mask) {
        if (index < -1 || index >= Registers.NAMES.length) throw new IllegalArgumentException("no register index " + index);
        List<PcmEvent> ev = new ArrayList<>(w.events());
        PcmEvent end = ev.isEmpty() ? null : ev.getLast();
        if (end == null || end.kind() != EventKind.END || position < 0 || position >= end.position()) return null;
        Registers before = w.initial().registers(), after = w.end() != null ? w.end().registers() : null, regs = before;
        int at = ev.size() - 1;
        boolean placed = false;
        for (int i = 0; i < ev.size(); i++) {
            PcmEvent e = ev.get(i);
            if (e.kind() == EventKind.STATE || e.kind() == EventKind.FINGERPRINTS) continue;
            if (!placed && (e.position() > position || e.position() == position && e.kind() != EventKind.CHECKPOINT)) {
                at = i;
                placed = true;
            }
            if (e.kind() != EventKind.CHECKPOINT) continue;
            regs = RegisterCheckpoints.apply(regs, e);
            if (e.position() <= position) before = regs;
            else {
                after = regs;
                break;
            }
        }
        int reg = index;
        if (reg == -1) {
            if (after == null) return null;
            long[] x = before.toArray(), y = after.toArray();
            for (int r = 15; r >= 0 && reg == -1; r--) {
                if (r != 6 && x[r] == y[r]) reg = r;
            }
            if (reg == -1) return null;
        }
        ev.add(at, RegisterCheckpoints.registerXor(0, position, reg, mask));
        return new Corrupted(w.id() + "+reg@" + position, w.backend(), w.cpu(), w.initial(), List.copyOf(ev), w.end(),
                Registers.NAMES[reg] + " ^= 0x" + Long.toHexString(mask) + " at position " + position, w);
    }

    /**
     * Adds a DMA_WRITE of {@code value} at {@code gpa} when exactly {@code position} instructions have
     * retired (before the events logged at that position). Returns null if the window ends before that
     * position or {@code gpa} lies outside its memory.
     */
    public static Corrupted memoryByte(Window w, long position, long gpa, byte value) {
        List<PcmEvent> ev = new ArrayList<>(w.events());
        PcmEvent end = ev.isEmpty() ? null : ev.getLast();
        if (end == null || end.kind() != EventKind.END || position < 0 || position > end.position()
                || gpa < 0 || w.initial() != null && w.initial().memory() != null && gpa >= w.initial().memory().size()) {
            return null;
        }
        int at = ev.size() - 1;
        for (int i = 0; i < ev.size(); i++) {
            PcmEvent e = ev.get(i);
            if (e.kind() != EventKind.STATE && e.kind() != EventKind.FINGERPRINTS && e.position() >= position) {
                at = i;
                break;
            }
        }
        ev.add(at, new PcmEvent(EventKind.DMA_WRITE, 0, position, 0, 0, gpa, 0, new byte[] {value}, 0));
        return new Corrupted(w.id() + "+byte@" + position, w.backend(), w.cpu(), w.initial(), List.copyOf(ev), w.end(),
                "memory byte 0x" + Long.toHexString(gpa) + " := 0x" + Integer.toHexString(value & 0xFF) + " at position " + position, w);
    }
}
