package pcm.core.api.verify;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import pcm.core.api.cpu.Registers;
import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;
import pcm.core.api.event.RegisterCheckpoints;
import pcm.core.api.event.RegisterFingerprints;

/** Sparse checkpoints located by last writers, and per-instruction fingerprints (docs/verification.md). */
class RegisterEvidenceTest {

    static Registers regs(long rax, long rbx, long rip) {
        return new Registers(rax, rbx, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, rip, 0x202);
    }

    /** A straight-line program: position p has rip 0x1000 + p, rbx = p, rax = 1 except where a test changes it. */
    static Registers at(long p, long rax) {
        return regs(rax, p, 0x1000 + p);
    }

    @Test
    void aSparseCheckpointIsLocatedAtTheEarliestLastWriterOfADifferingRegister() {
        Registers init = at(0, 1);
        CheckpointTracker t = new CheckpointTracker(init);
        RegisterWriters w = new RegisterWriters(init);
        t.traceWriters(w);
        assertTrue(t.compare(0, init, init));
        // the replay: instruction 700 writes rax = 99 (the recording kept 1); rbx and rip change every instruction
        for (long p = 0; p < 1024; p++) w.changed(p, 0x1000 + p, at(p + 1, p >= 700 ? 99 : 1));
        assertFalse(t.compare(1024, at(1024, 99), at(1024, 1)));
        Divergence d = t.divergence().orElseThrow();
        assertEquals(700, d.position(), d.toString());
        assertEquals(0x1000 + 700, d.rip());
        assertEquals(1024, t.divergedAt());
        assertEquals(0, t.agreedAt());
        assertTrue(d.differences().stream().anyMatch(s -> s.contains("rax last written by the instruction at position 700")), d.toString());
    }

    @Test
    void onlyRipOrUnwrittenRegistersGiveTheInterval() {
        Registers init = at(0, 1);
        CheckpointTracker t = new CheckpointTracker(init);
        RegisterWriters w = new RegisterWriters(init);
        t.traceWriters(w);
        for (long p = 0; p < 100; p++) w.changed(p, 0x1000 + p, at(p + 1, 1));
        Registers recorded = regs(1, 100, 0x5000);
        assertFalse(t.compare(100, at(100, 1), recorded));
        assertEquals(0, t.divergence().orElseThrow().position());
        assertTrue(t.divergence().get().differences().getFirst().contains("lies in the 100 instructions between"));

        CheckpointTracker u = new CheckpointTracker(init);
        u.traceWriters(new RegisterWriters(init)); // nothing was written: the recording changed rax, the replay did not
        assertFalse(u.compare(100, at(100, 1), at(100, 5)));
        Divergence d = u.divergence().orElseThrow();
        assertEquals(0, d.position());
        assertTrue(d.differences().stream().anyMatch(s -> s.contains("rax not written by the replay since position 0")), d.toString());
    }

    @Test
    void withoutWritersOrNextToTheAgreeingCheckpointTheTrackerIsUnchanged() {
        Registers init = at(0, 1);
        CheckpointTracker t = new CheckpointTracker(init);
        assertFalse(t.compare(50, at(50, 2), at(50, 1)));
        assertEquals(0, t.divergence().orElseThrow().position());
        CheckpointTracker u = new CheckpointTracker(init);
        u.traceWriters(new RegisterWriters(init));
        assertTrue(u.compare(49, at(49, 1), at(49, 1)));
        assertFalse(u.compare(50, at(50, 2), at(50, 1)));
        assertEquals(49, u.divergence().orElseThrow().position());
        assertTrue(u.divergence().get().differences().getFirst().contains("after the instruction at position 49"));
    }

    @Test
    void arithmeticFlagsAreNeitherFingerprintedNorTraced() {
        Registers a = at(5, 1);
        long[] b = a.toArray();
        b[17] |= 0x8D5; // CF PF AF ZF SF OF
        assertEquals(RegisterFingerprints.of(a), RegisterFingerprints.of(Registers.fromArray(b)));
        b[17] |= 0x400; // DF
        assertNotEquals(RegisterFingerprints.of(a), RegisterFingerprints.of(Registers.fromArray(b)));
        RegisterWriters w = new RegisterWriters(a);
        long[] c = a.toArray();
        c[17] |= 0x8D5;
        w.changed(5, 0x1005, Registers.fromArray(c));
        assertEquals(-1, w.writer(17));
    }

    @Test
    void fingerprintsLocateTheFirstDifferingInstructionAcrossRecordsAndGaps() {
        RegisterFingerprints.Collector c = new RegisterFingerprints.Collector();
        List<PcmEvent> events = new ArrayList<>();
        for (long p = 1; p < 10_000; p++) {
            if (p == 4_500) continue; // an interrupt was injected there: nothing recorded
            c.add(p, at(p, 1));
            if (c.full()) events.add(c.drain(0, 0));
        }
        events.add(c.drain(0, 0));
        assertEquals(3, events.size());
        assertEquals(RegisterFingerprints.PER_EVENT, events.getFirst().data().length);
        assertEquals(1, events.getFirst().position());
        assertEquals(1 + RegisterFingerprints.PER_EVENT, events.get(1).position());
        events.forEach(e -> assertEquals(EventKind.FINGERPRINTS, e.kind()));

        FingerprintTracker t = new FingerprintTracker(events, at(0, 1));
        assertEquals(0, t.at(4_500));
        assertEquals(0, t.at(10_000));
        long[] pos = t.positions(Long.MAX_VALUE);
        assertEquals(9_998, pos.length);
        for (long p = 1; p < 6_000; p++) assertTrue(t.compare(p, at(p, 1)), "at " + p);
        // the instruction at 5,999 writes a wrong rax; it is gone again two instructions later
        assertFalse(t.compare(6_000, at(6_000, 2)));
        assertFalse(t.compare(6_002, at(6_002, 1)));
        assertEquals(5_999, t.divergence().orElseThrow().position());
        assertEquals(0x1000 + 5_999, t.divergence().get().rip());
    }
}
