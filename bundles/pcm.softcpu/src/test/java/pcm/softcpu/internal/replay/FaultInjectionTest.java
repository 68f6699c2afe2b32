package pcm.softcpu.internal.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import pcm.core.api.cpu.Registers;
import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;
import pcm.core.api.verify.Outcome;
import pcm.core.api.verify.Verdict;
import pcm.core.api.verify.Window;
import pcm.softcpu.internal.SoftVcpu;

/**
 * Corrupted windows: the soft RCP must answer DIVERGED at the position of the fault (or, when the faulty
 * value is overwritten before END, at the first instruction whose output still carries it).
 */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FaultInjectionTest {

    static final SoftReplayVerifier RCP = new SoftReplayVerifier();

    /** The window with one more event, a DMA_WRITE of one byte at {@code position} (before the events there). */
    static Window memoryByte(Window w, long position, long gpa, byte value) {
        List<PcmEvent> ev = new ArrayList<>(w.events());
        int at = ev.size() - 1;
        for (int i = 0; i < ev.size(); i++) {
            if (ev.get(i).kind() != EventKind.STATE && ev.get(i).position() >= position) {
                at = i;
                break;
            }
        }
        ev.add(at, new PcmEvent(EventKind.DMA_WRITE, 0, position, 0, 0, gpa, 0, new byte[] {value}, 0));
        return new TestWindows.TestWindow(w.id() + "+byte", w.backend(), w.cpu(), w.initial(), ev, w.end());
    }

    static Window corrupt(Window w, int index, long mask) {
        List<PcmEvent> ev = new ArrayList<>(w.events());
        PcmEvent e = ev.get(index);
        byte[] d = e.data().clone();
        if (e.kind() == EventKind.CPUID) for (int b = 0; b < 4; b++) d[b] ^= (byte) (mask >>> (8 * b));
        ev.set(index, new PcmEvent(e.kind(), e.vcpu(), e.position(), e.rip(), e.rcx(), e.address(), e.value() ^ mask, d, 0));
        return new TestWindows.TestWindow(w.id() + "+input", w.backend(), w.cpu(), w.initial(), ev, w.end());
    }

    static List<Window> record(long param, long tick, long seed, List<TestWindows.Plan> plans) throws Exception {
        List<Window> out = new ArrayList<>();
        try (TestWindows t = new TestWindows(param, 8 << 20, 1000, tick, seed)) {
            t.record(plans, out::add);
        }
        return out;
    }

    @Test
    void memoryByteAtN() throws Exception {
        List<TestWindows.Plan> plans = new ArrayList<>();
        for (int i = 0; i < 40; i++) plans.add(new TestWindows.Plan(2_000 + i * 9_000L, 3_000 + i * 100L));
        SplittableRandom r = new SplittableRandom(7);
        int n = 0;
        for (Window w : record(32, 4_000, 11, plans)) {
            long end = w.events().get(w.events().size() - 1).position();
            long pos = r.nextLong(end);
            long gpa = (6L << 20) + r.nextLong(1 << 20); // RAM the guest never touches
            for (String s : List.of("full", "checkpoint")) {
                Verdict v = RCP.verify(memoryByte(w, pos, gpa, (byte) 0x5A), s.equals("full") ? ReplayTest.FULL : ReplayTest.every(1000), p -> { });
                assertEquals(Outcome.DIVERGED, v.outcome(), v::toString);
                assertEquals(pos, v.divergence().orElseThrow().position(), v::toString);
                assertTrue(v.divergence().get().differences().stream().anyMatch(d -> d.contains("page 0x" + Long.toHexString(gpa & ~0xFFFL))), v::toString);
            }
            n++;
        }
        assertTrue(n >= 30, "windows " + n);
    }

    /** A logged input corrupted in a window that ends right after the instruction consuming it: exactly N. */
    @Test
    void inputValueAtN() throws Exception {
        List<TestWindows.Plan> plans = new ArrayList<>();
        for (int i = 0; i < 12; i++) plans.add(new TestWindows.Plan(1_000 + i * 60_000L, 50_000));
        List<Window> first = record(64, 5_000, 21, plans);
        // the same run again (deterministic), each window cut right after one of its inputs
        List<TestWindows.Plan> cut = new ArrayList<>();
        List<Integer> which = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(5);
        for (int i = 0; i < first.size(); i++) {
            List<PcmEvent> ev = first.get(i).events();
            List<Integer> inputs = new ArrayList<>();
            for (int k = 0; k < ev.size(); k++) {
                EventKind kd = ev.get(k).kind();
                if (kd == EventKind.RDTSC || kd == EventKind.RDRAND || kd == EventKind.RDSEED || kd == EventKind.PIO_IN || kd == EventKind.CPUID) inputs.add(k);
            }
            if (inputs.isEmpty()) continue;
            int k = inputs.get(r.nextInt(inputs.size()));
            // END one instruction after the consuming one; the window's input index stays k (same events before)
            cut.add(new TestWindows.Plan(plans.get(i).start(), ev.get(k).position() + 1));
            which.add(k);
        }
        List<Window> second = record(64, 5_000, 21, cut);
        int exact = 0;
        for (int i = 0; i < second.size(); i++) {
            Window w = second.get(i);
            int k = which.get(i);
            PcmEvent e = w.events().get(k);
            long mask = e.kind() == EventKind.PIO_IN ? 0x01 : 0x10000;
            Verdict v = RCP.verify(corrupt(w, k, mask), ReplayTest.FULL, p -> { });
            assertEquals(Outcome.DIVERGED, v.outcome(), () -> e + " " + v);
            assertEquals(e.position(), v.divergence().orElseThrow().position(), () -> e + " " + v);
            exact++;
        }
        assertTrue(exact >= 10, "exact " + exact);
    }

    /** Corrupted inputs in long windows: DIVERGED, never before the fault. */
    @Test
    void inputValueInLongWindows() throws Exception {
        List<TestWindows.Plan> plans = new ArrayList<>();
        for (int i = 0; i < 10; i++) plans.add(new TestWindows.Plan(1_000 + i * 70_000L, 60_000));
        int diverged = 0, exact = 0, total = 0;
        long worst = 0;
        for (Window w : record(64, 5_000, 31, plans)) {
            for (int k = 0; k < w.events().size(); k++) {
                PcmEvent e = w.events().get(k);
                if (e.kind() != EventKind.PIO_IN) continue;
                // LSR: clear THRE, the guest polls once more than the log says
                Verdict v = RCP.verify(corrupt(w, k, 0x20), ReplayTest.every(2_000), p -> { });
                total++;
                assertEquals(Outcome.DIVERGED, v.outcome(), v::toString);
                long at = v.divergence().orElseThrow().position();
                assertTrue(at >= e.position(), v::toString);
                diverged++;
                if (at == e.position()) exact++;
                worst = Math.max(worst, at - e.position());
                break;
            }
        }
        System.out.printf("LSR input faults: %d/%d diverged, %d at the input's position, worst distance %d%n", diverged, total, exact, worst);
        assertTrue(total >= 5);
    }

    /** x86 register number to {@link pcm.core.api.cpu.Registers} index. */
    static final int[] X86_TO_API = {0, 2, 3, 1, 6, 7, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15};

    /** Finds the first ADD reg,reg (not RSP) from {@code searchFrom}; with {@code flipAt} >= 0 flips bit 3 of its result there. */
    static final class AddFault implements TestWindows.FaultHook {
        final TestWindows t;
        final long searchFrom, flipAt;
        long found = -1, addRip, addLen;
        int dest = -1;
        boolean done;

        AddFault(TestWindows t, long searchFrom, long flipAt) {
            this.t = t;
            this.searchFrom = searchFrom;
            this.flipAt = flipAt;
        }

        @Override public long next(long pos) {
            if (done) return Long.MAX_VALUE;
            if (flipAt >= 0) return pos <= flipAt ? Math.max(pos + 1, flipAt) : Long.MAX_VALUE;
            return Math.max(pos + 1, searchFrom);
        }

        @Override public void at(long pos, SoftVcpu v) {
            if (done || pos < searchFrom) return;
            if (dest >= 0) {
                if (v.rip() == addRip + addLen) {
                    found = pos - 1;
                    if (flipAt >= 0) {
                        long[] a = v.registers().toArray(); // a faulty ALU result: bit 3 of the ADD's destination
                        a[dest] ^= 1L << 3;
                        v.setRegisters(Registers.fromArray(a));
                    }
                    done = true;
                } else {
                    dest = -1;
                }
                return;
            }
            if (flipAt >= 0 && pos != flipAt) return;
            long rip = v.rip();
            int b0 = t.ram.get(ValueLayout.JAVA_BYTE, rip) & 0xFF;
            int rex = 0, o = 0;
            if ((b0 & 0xF0) == 0x40) { rex = b0; o = 1; }
            int op = t.ram.get(ValueLayout.JAVA_BYTE, rip + o) & 0xFF;
            int modrm = t.ram.get(ValueLayout.JAVA_BYTE, rip + o + 1) & 0xFF;
            if ((op == 0x01 || op == 0x03) && (modrm >> 6) == 3) {
                int d = op == 0x01 ? (modrm & 7) | (rex & 1) << 3 : ((modrm >> 3) & 7) | (rex & 4) << 1;
                int src = op == 0x01 ? ((modrm >> 3) & 7) | (rex & 4) << 1 : (modrm & 7) | (rex & 1) << 3;
                // not RSP; and an ADD that changes its destination (x + 0 writes the same value: the replay names
                // the last instruction that changed a location)
                if (d == 4 || v.gpr(X86_TO_API[src]) == 0) {
                    if (flipAt >= 0) throw new IllegalStateException("ADD at " + pos + " adds 0");
                    return;
                }
                dest = X86_TO_API[d];
                addRip = rip;
                addLen = o + 2;
            } else if (flipAt >= 0) {
                throw new IllegalStateException("no ADD at " + pos);
            }
        }
    }

    /**
     * The recording CPU is faulty: the ADD at window position N produces a result with bit 3 flipped. A window
     * ending right after it must be reported at exactly N; longer windows at N or later (or MATCH when the
     * guest overwrote the faulty value without using it: a masked fault leaves no trace).
     */
    @Test
    void faultyAddOnTheRecordingCpu() throws Exception {
        int exact = 0, total = 0, longExact = 0, longDiverged = 0, longMasked = 0;
        for (int i = 0; i < 20; i++) {
            long startAt = 5_000 + i * 17_000L;
            long searchFrom = 100 + i * 377L;
            long n;
            try (TestWindows t = new TestWindows(32, 8 << 20, 1000, 3_000, 40 + i)) {
                AddFault f = new AddFault(t, searchFrom, -1);
                t.fault = f;
                t.record(List.of(new TestWindows.Plan(startAt, 40_000)), w -> { });
                n = f.found;
            }
            if (n < 0) continue;
            for (long after : new long[] {0, 5_000}) {
                List<Window> out = new ArrayList<>();
                try (TestWindows t = new TestWindows(32, 8 << 20, 1000, 3_000, 40 + i)) {
                    AddFault f = new AddFault(t, searchFrom, n);
                    t.fault = f;
                    t.record(List.of(new TestWindows.Plan(startAt, n + 1 + after)), out::add);
                    assertEquals(n, f.found);
                }
                Verdict v = RCP.verify(out.get(0), ReplayTest.every(1_000), p -> { });
                if (after == 0) {
                    total++;
                    assertEquals(Outcome.DIVERGED, v.outcome(), v::toString);
                    assertEquals(n, v.divergence().orElseThrow().position(), v::toString);
                    exact++;
                } else if (v.outcome() == Outcome.MATCH) {
                    longMasked++;
                } else {
                    assertEquals(Outcome.DIVERGED, v.outcome(), v::toString);
                    long at = v.divergence().orElseThrow().position();
                    assertTrue(at >= n, v::toString);
                    longDiverged++;
                    if (at == n) longExact++;
                }
            }
        }
        System.out.printf("faulty ADD: %d/%d exact when END follows it; 5k instructions later: %d diverged (%d exactly at N), %d masked%n",
                exact, total, longDiverged, longExact, longMasked);
        assertTrue(total >= 15, "faults " + total);
    }
}
