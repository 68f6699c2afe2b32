package pcm.tracers.internal.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;

import org.junit.jupiter.api.Test;

import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;
import pcm.core.api.tracer.MemoryTrace;
import pcm.core.api.tracer.Trace;
import pcm.core.api.tracer.Tracer;
import pcm.core.api.verify.Snapshot;
import pcm.core.api.verify.Window;
import pcm.tracers.internal.fault.FaultInjector;

/** The fault injector's hidden wrong store: only a store the guest overwrites unread, only in the memory trace. */
class HiddenWrongStoreTest {

    record W(String id, String backend, Snapshot initial, List<PcmEvent> events, Snapshot end, List<Trace> traces) implements Window { }

    static Window window(MemoryTrace.Access... accesses) {
        MemoryTrace.Writer w = new MemoryTrace.Writer(1 << 16);
        for (MemoryTrace.Access a : accesses) w.access(a.position(), a.gpa(), a.write(), a.size(), a.data());
        Trace t = new Trace("mtr", Tracer.Kind.MEMORY, Trace.Status.COMPLETE, "", MemoryTrace.FORMAT, accesses.length, 0, w.buffer().bytes());
        return new W("w", "soft", null, List.of(new PcmEvent(EventKind.END, 0, 100, 0, 0, 0, 100, null, 0)), null, List.of(t));
    }

    @Test
    void corruptsTheNthStoreOverwrittenUnreadAndNothingElse() {
        Window w = window(
                new MemoryTrace.Access(1, 0x100, true, 8, 1),   // read at 2: not hidden
                new MemoryTrace.Access(2, 0x104, false, 4, 0),
                new MemoryTrace.Access(3, 0x200, true, 4, 7),   // overwritten at 6, unread: store 0
                new MemoryTrace.Access(4, 0x300, true, 2, 9),   // overwritten by a wider store: not the same access
                new MemoryTrace.Access(5, 0x2FF, true, 4, 0),
                new MemoryTrace.Access(6, 0x200, true, 4, 8));  // the last access: never overwritten
        FaultInjector.Corrupted c = FaultInjector.hiddenWrongStore(w, 0, 0xFF);
        assertEquals("store of 4 bytes at 0x200 at position 3 data ^ 0xff (overwritten later)", c.fault());
        List<MemoryTrace.Access> got = MemoryTrace.decode(c.traces().getFirst().data());
        assertEquals(7 ^ 0xFF, got.get(2).data());
        assertEquals(MemoryTrace.decode(w.traces().getFirst().data()).subList(3, 6), got.subList(3, 6));
        assertEquals(w.events(), c.events());
        assertNull(FaultInjector.hiddenWrongStore(w, 1, 0xFF), "only one such store");
        assertNull(FaultInjector.hiddenWrongStore(new W("x", "kvm", null, w.events(), null, List.of()), 0, 1), "no memory trace");
    }
}
