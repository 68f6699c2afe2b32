package pcm.core.api.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

import pcm.core.api.cpu.Registers;
import pcm.core.api.verify.CheckpointTracker;

class RegisterCheckpointsTest {

    static Registers regs(long rax, long rip, long rflags) {
        return new Registers(rax, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, rip, rflags);
    }

    @Test
    void aDeltaHoldsOnlyTheChangedRegistersAndRebuildsTheState() {
        Registers before = regs(1, 0x1000, 0x202), after = regs(7, 0x1003, 0x202);
        PcmEvent e = RegisterCheckpoints.checkpoint(0, 5, after, before, 0);
        assertEquals(EventKind.CHECKPOINT, e.kind());
        assertEquals(1L << 0 | 1L << 16, e.address());
        assertEquals(16, e.data().length);
        assertEquals(after, RegisterCheckpoints.apply(before, e));
    }

    @Test
    void aPayloadThatDoesNotFitItsMaskIsRefused() {
        PcmEvent bad = new PcmEvent(EventKind.CHECKPOINT, 0, 1, 0, 0, 0b11, 0, new byte[8], 0);
        assertThrows(IllegalArgumentException.class, () -> RegisterCheckpoints.apply(regs(0, 0, 2), bad));
    }

    @Test
    void arithmeticFlagsAndRfAreNotCompared() {
        assertEquals(List.of(), RegisterCheckpoints.differences(regs(0, 0, 0x202 | 0x8D5 | 0x10000), regs(0, 0, 0x202)));
        assertEquals(1, RegisterCheckpoints.differences(regs(0, 0, 0x302), regs(0, 0, 0x202)).size(), "TF is compared");
    }

    @Test
    void theTrackerKeepsTheFirstDisagreementAtTheLastAgreeingPosition() {
        Registers r0 = regs(0, 0x1000, 0x202);
        CheckpointTracker t = new CheckpointTracker(r0);
        Registers r1 = regs(1, 0x1001, 0x202), r2 = regs(2, 0x1002, 0x202);
        t.record(RegisterCheckpoints.checkpoint(0, 1, r1, r0, 0));
        assertTrue(t.compare(1, r1));
        t.record(RegisterCheckpoints.checkpoint(0, 2, r2, r1, 0));
        assertFalse(t.compare(2, regs(3, 0x1002, 0x202)));
        assertTrue(t.diverged());
        assertEquals(1, t.divergence().orElseThrow().position(), "the instruction at position 1 made the difference");
        assertEquals(0x1001, t.divergence().orElseThrow().rip());
    }
}
