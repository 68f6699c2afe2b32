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
}
