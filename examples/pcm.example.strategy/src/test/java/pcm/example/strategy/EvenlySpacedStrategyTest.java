package pcm.example.strategy;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.lang.annotation.Annotation;
import java.util.List;

import org.junit.jupiter.api.Test;

import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;
import pcm.core.api.verify.Snapshot;
import pcm.core.api.verify.Window;

class EvenlySpacedStrategyTest {

    static EvenlySpacedStrategy strategy(int checkpoints) {
        EvenlySpacedStrategy s = new EvenlySpacedStrategy();
        s.configure(new EvenlySpacedStrategy.Config() {
            public int checkpoints() { return checkpoints; }
            public Class<? extends Annotation> annotationType() { return EvenlySpacedStrategy.Config.class; }
        });
        return s;
    }

    /** A window whose only event that matters is its END at {@code end}. */
    static Window window(Long end) {
        List<PcmEvent> events = end == null ? List.of()
                : List.of(new PcmEvent(EventKind.END, 0, end, 0, 0, 0, 0, null, 0));
        return new Window() {
            public String id() { return "w1"; }
            public String backend() { return "soft"; }
            public Snapshot initial() { return null; }
            public List<PcmEvent> events() { return events; }
            public Snapshot end() { return null; }
        };
    }

    @Test
    void evenlyInsideTheWindow() {
        assertArrayEquals(new long[] {4000, 8000, 12000, 16000}, strategy(4).checkpoints(window(20000L)));
        assertArrayEquals(new long[] {10000}, strategy(1).checkpoints(window(20000L)));
    }

    @Test
    void aShortWindowGetsAtMostOnePerInstructionAndNoneAtItsEnds() {
        assertArrayEquals(new long[] {1, 2}, strategy(4).checkpoints(window(3L)));
        assertArrayEquals(new long[0], strategy(4).checkpoints(window(1L)));
        assertArrayEquals(new long[0], strategy(4).checkpoints(window(null)));
    }

    @Test
    void theCountIsClamped() {
        assertArrayEquals(new long[] {10000}, strategy(0).checkpoints(window(20000L)));
    }
}
