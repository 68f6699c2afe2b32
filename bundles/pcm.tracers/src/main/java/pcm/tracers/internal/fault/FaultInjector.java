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

/**
 * Corrupts a recorded window in controlled ways, so that a verifier must report DIVERGED at a known
 * position: a logged input value (the state after the consuming instruction differs), one memory
 * byte at position N (a synthetic DMA_WRITE the recording never had), or register bits at position N (a
 * synthetic REG_WRITE). The original is not modified.
 */
public final class FaultInjector {

    private FaultInjector() { }

    /** A window with other events (same snapshots). */
    public record Corrupted(String id, String backend, RecordingCpu cpu, Snapshot initial, List<PcmEvent> events,
                            Snapshot end, String fault) implements Window { }

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
                    e.kind() + " at position " + e.position() + " value ^ 0x" + Long.toHexString(mask));
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
     * Flips the bits of {@code mask} in register {@code index} ({@code Registers.toArray()} order) at the first
     * CHECKPOINT at or after {@code position} (whose registers give the value to corrupt): a REG_WRITE event
     * after it. Returns null if the window has no usable checkpoint there.
     */
    public static Corrupted registerBits(Window w, long position, int index, long mask) {
        if (index < -1 || index >= Registers.NAMES.length) throw new IllegalArgumentException("no register index " + index);
        List<PcmEvent> ev = new ArrayList<>(w.events());
        Registers regs = w.initial().registers();
        for (int i = 0; i < ev.size(); i++) {
            PcmEvent e = ev.get(i);
            if (e.kind() != EventKind.CHECKPOINT) continue;
            regs = RegisterCheckpoints.apply(regs, e);
            if (e.position() < position) continue;
            long at = e.position();
            int reg = index == -1 ? untouchedRegister(ev, i, at) : index;
            if (reg < 0) continue; // the instruction there writes every register (or no checkpoint follows): next one
            long value = regs.toArray()[reg] ^ mask;
            ev.add(i + 1, RegisterCheckpoints.registerWrite(e.vcpu(), at, reg, value));
            return new Corrupted(w.id() + "+reg@" + at, w.backend(), w.cpu(), w.initial(), List.copyOf(ev), w.end(),
                    Registers.NAMES[reg] + " ^= 0x" + Long.toHexString(mask) + " at position " + at);
        }
        return null;
    }

    /**
     * The first general register (r15 down to rax, RSP excluded: event delivery replaces it) that the
     * instructions from {@code position} to the next checkpoint do not change, per that checkpoint's delta (with a
     * checkpoint after every instruction: the instruction at {@code position}; with sparse checkpoints the register
     * holds the same value at both, so the fault reaches the next one and its last writer is the REG_WRITE itself);
     * -1 if there is none or no checkpoint follows.
     */
    private static int untouchedRegister(List<PcmEvent> ev, int from, long position) {
        for (int j = from + 1; j < ev.size(); j++) {
            PcmEvent n = ev.get(j);
            if (n.kind() != EventKind.CHECKPOINT) continue;
            if (n.position() <= position) return -1;
            for (int r = 15; r >= 0; r--) {
                if (r != 6 && (n.address() & 1L << r) == 0) return r;
            }
            return -1;
        }
        return -1;
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
            if (e.kind() != EventKind.STATE && e.position() >= position) {
                at = i;
                break;
            }
        }
        ev.add(at, new PcmEvent(EventKind.DMA_WRITE, 0, position, 0, 0, gpa, 0, new byte[] {value}, 0));
        return new Corrupted(w.id() + "+byte@" + position, w.backend(), w.cpu(), w.initial(), List.copyOf(ev), w.end(),
                "memory byte 0x" + Long.toHexString(gpa) + " := 0x" + Integer.toHexString(value & 0xFF) + " at position " + position);
    }
}
