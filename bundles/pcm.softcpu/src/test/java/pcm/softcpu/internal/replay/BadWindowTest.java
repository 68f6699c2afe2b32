package pcm.softcpu.internal.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;
import pcm.core.api.verify.Outcome;
import pcm.core.api.verify.Snapshot;
import pcm.core.api.verify.Verdict;
import pcm.core.api.verify.Window;

/** Bad or unreplayable windows: INCONCLUSIVE with the reason, or DIVERGED where the log contradicts the replay; never an exception. */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class BadWindowTest {

    static final SoftReplayVerifier RCP = new SoftReplayVerifier();

    static Window window() throws Exception {
        List<Window> out = new ArrayList<>();
        try (TestWindows t = new TestWindows(16, 8 << 20, 1000, 5_000, 3)) {
            t.record(List.of(new TestWindows.Plan(40_000, 30_000)), out::add);
        }
        return out.get(0);
    }

    static Window with(Window w, List<PcmEvent> ev) {
        return new TestWindows.TestWindow(w.id(), w.backend(), w.cpu(), w.initial(), ev, w.end());
    }

    static Verdict verify(Window w) { return RCP.verify(w, ReplayTest.FULL, null); }

    @Test
    void inconclusiveAndDiverged() throws Exception {
        Window w = window();
        assertEquals(Outcome.MATCH, verify(w).outcome());
        List<PcmEvent> ev = w.events();
        assertEquals(Outcome.INCONCLUSIVE, RCP.verify(null, null, null).outcome());
        Verdict v = verify(with(w, ev.subList(0, ev.size() - 1)));
        assertEquals(Outcome.INCONCLUSIVE, v.outcome());
        assertTrue(v.detail().contains("no END"), v.detail());
        v = verify(new TestWindows.TestWindow("x", "soft", null, ev, w.end()));
        assertTrue(v.detail().contains("initial snapshot"), v.detail());
        Snapshot i = w.initial();
        v = verify(new TestWindows.TestWindow("x", "soft", new Snapshot(0, i.registers(), null, i.fpu(), i.msrs(), i.memory()), ev, w.end()));
        assertTrue(v.detail().contains("initial special registers"), v.detail());
        v = verify(new TestWindows.TestWindow("x", "soft", new Snapshot(0, i.registers(), i.specialRegisters(), i.fpu(), i.msrs(),
                new TestWindows.Image(new byte[4096 * 3])), ev, w.end()));
        assertEquals(Outcome.INCONCLUSIVE, v.outcome());
        // out of order
        List<PcmEvent> swapped = new ArrayList<>(ev);
        int k = firstIndex(ev, EventKind.INTERRUPT);
        swapped.add(k, new PcmEvent(EventKind.PIO_IN, 0, ev.get(k).position() + 5, 0, 0, 0x60, 0, null, 0));
        swapped.add(k + 1, new PcmEvent(EventKind.RDTSC, 0, ev.get(k).position() + 1, 0, 0, 0, 0, null, 0));
        assertEquals(Outcome.INCONCLUSIVE, verify(with(w, swapped)).outcome());
        // an input the replay does not meet: DIVERGED at the logged position
        List<PcmEvent> extra = new ArrayList<>(ev);
        long at = ev.get(k).position() - 1;
        extra.add(k, new PcmEvent(EventKind.RDTSC, 0, at, 0, 0, 0, 0, null, 0));
        v = verify(with(w, extra));
        assertEquals(Outcome.DIVERGED, v.outcome(), v::toString);
        assertEquals(at, v.divergence().get().position());
        // a logged input dropped: the replay meets an exit the log does not have
        int in = firstIndex(ev, EventKind.RDTSC) >= 0 ? firstIndex(ev, EventKind.RDTSC) : firstIndex(ev, EventKind.PIO_IN);
        List<PcmEvent> dropped = new ArrayList<>(ev);
        dropped.remove(in);
        v = verify(with(w, dropped));
        assertEquals(Outcome.DIVERGED, v.outcome(), v::toString);
        assertEquals(ev.get(in).position(), v.divergence().get().position());
        // interrupt at the wrong RIP
        List<PcmEvent> moved = new ArrayList<>(ev);
        PcmEvent e = ev.get(k);
        moved.set(k, new PcmEvent(e.kind(), 0, e.position(), e.rip() + 1, e.rcx(), e.address(), e.value(), null, 0));
        v = verify(with(w, moved));
        assertEquals(Outcome.DIVERGED, v.outcome(), v::toString);
        assertEquals(e.position(), v.divergence().get().position());
        // NMI
        List<PcmEvent> nmi = new ArrayList<>(ev);
        nmi.set(k, new PcmEvent(EventKind.NMI, 0, e.position(), e.rip(), e.rcx(), 2, 0, null, 0));
        assertTrue(verify(with(w, nmi)).detail().contains("NMI"));
        // DMA outside RAM
        List<PcmEvent> dma = new ArrayList<>(ev);
        dma.add(1, new PcmEvent(EventKind.DMA_WRITE, 0, 0, 0, 0, 1L << 40, 0, new byte[4], 0));
        assertTrue(verify(with(w, dma)).detail().contains("outside RAM"));
    }

    static int firstIndex(List<PcmEvent> ev, EventKind k) {
        for (int i = 0; i < ev.size(); i++) if (ev.get(i).kind() == k) return i;
        return -1;
    }
}
