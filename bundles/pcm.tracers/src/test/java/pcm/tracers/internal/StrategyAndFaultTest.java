package pcm.tracers.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;

import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;
import pcm.core.api.cpu.CpuIdentity;
import pcm.core.api.verify.RecordingCpu;
import pcm.core.api.verify.Snapshot;
import pcm.core.api.verify.Window;
import pcm.tracers.internal.fault.FaultInjector;
import pcm.tracers.internal.strategy.CheckpointReplayStrategy;
import pcm.tracers.internal.strategy.FullReplayStrategy;

class StrategyAndFaultTest {

    record W(String id, String backend, Snapshot initial, List<PcmEvent> events, Snapshot end) implements Window {
        @Override
        public RecordingCpu cpu() { return new RecordingCpu(backend, CpuIdentity.host()); }
    }

    static PcmEvent ev(EventKind k, long pos, long value) { return new PcmEvent(k, 0, pos, 0, 0, 0, value, null, 0); }

    static final W WINDOW = new W("w", "soft", null, List.of(ev(EventKind.STATE, 0, 0), ev(EventKind.RDTSC, 10, 5),
            ev(EventKind.INTERRUPT, 20, 0), ev(EventKind.PIO_IN, 30, 7), ev(EventKind.END, 100, 0)), null);

    @Test
    void strategies() {
        assertArrayEquals(new long[0], new FullReplayStrategy().checkpoints(WINDOW));
        assertArrayEquals(new long[] {30, 60, 90}, new CheckpointReplayStrategy(30, 100).checkpoints(WINDOW));
        assertArrayEquals(new long[] {50}, new CheckpointReplayStrategy(1, 2).checkpoints(WINDOW));
        assertArrayEquals(new long[0], new CheckpointReplayStrategy(100, 10).checkpoints(WINDOW));
    }

    @Test
    void faults() {
        var c = FaultInjector.corruptInput(WINDOW, 1, 0x10);
        assertEquals(7 ^ 0x10, c.events().get(3).value());
        assertEquals(5, c.events().get(1).value());
        assertNull(FaultInjector.corruptInput(WINDOW, 2, 1));
        var m = FaultInjector.memoryByte(WINDOW, 20, 0x5000, (byte) 1);
        assertEquals(EventKind.DMA_WRITE, m.events().get(2).kind());
        assertEquals(20, m.events().get(2).position());
        assertEquals(EventKind.INTERRUPT, m.events().get(3).kind());
        assertNull(FaultInjector.memoryByte(WINDOW, 101, 0x5000, (byte) 1), "the window ends at 100");
    }

    /**
     * A register fault at any position (no checkpoint needed there): an XOR REG_WRITE exactly at it, after a checkpoint
     * at that position, before the other events there; index -1 picks a register (r15 down, not RSP) whose value the
     * register evidence around the position shows unchanged.
     */
    @Test
    void registerFaultsAtAnyPosition() {
        pcm.core.api.cpu.Registers init = new pcm.core.api.cpu.Registers(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 0x1000, 0x202);
        long[] later = init.toArray();
        later[15] = 99; // r15 changes before the checkpoint at 64: r14 is the untouched one
        later[16] = 0x1040;
        PcmEvent cp = pcm.core.api.event.RegisterCheckpoints.checkpoint(0, 64, pcm.core.api.cpu.Registers.fromArray(later), init, 0);
        Snapshot s = new Snapshot(0, init, null, null, null, null);
        W w = new W("w", "soft", s, List.of(ev(EventKind.STATE, 0, 0), ev(EventKind.RDTSC, 10, 5), cp, ev(EventKind.PIO_IN, 64, 7),
                new PcmEvent(EventKind.FINGERPRINTS, 0, 1, 0, 0, 0, 99, new byte[99], 0), ev(EventKind.END, 100, 0)),
                new Snapshot(100, pcm.core.api.cpu.Registers.fromArray(later), null, null, null, null));
        var at10 = FaultInjector.registerBits(w, 10, -1, 1L << 40);
        assertEquals(EventKind.REG_WRITE, at10.events().get(1).kind());
        assertEquals(10, at10.events().get(1).position());
        assertEquals(14, at10.events().get(1).address());
        assertEquals(1L << 40, at10.events().get(1).value());
        assertEquals(EventKind.RDTSC, at10.events().get(2).kind());
        var at64 = FaultInjector.registerBits(w, 64, 3, 1);
        assertEquals(EventKind.CHECKPOINT, at64.events().get(2).kind());
        assertEquals(EventKind.REG_WRITE, at64.events().get(3).kind());
        assertEquals(3, at64.events().get(3).address());
        assertEquals(0x1000 ^ 1, pcm.core.api.event.RegisterCheckpoints.written(at64.events().get(3), 0x1000));
        assertEquals("rdx ^= 0x1 at position 64", at64.fault());
        assertNull(FaultInjector.registerBits(w, 100, -1, 1), "nothing retires at END");
    }
}
