package pcm.softcpu.internal.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;
import pcm.core.api.verify.Outcome;
import pcm.core.api.verify.ReplayVerifier;
import pcm.core.api.verify.Verdict;
import pcm.core.api.verify.Window;
import pcm.vmx.internal.kvm.KvmHypervisor;
import pcm.vmx.internal.replay.KvmReplayVerifier;

/**
 * A CPUID whose leaf register differs from the logged leaf is a divergence at that instruction on both
 * verifiers, although the logged result overwrites the register (found by the issue 11 integrity review: the
 * kvm verifier fed the result without comparing the leaf). The window is soft-recorded; the kvm half needs KVM.
 */
class LoggedOperandTest {

    private static List<Window> windowsWithCpuid() throws Exception {
        List<Window> out = new ArrayList<>();
        try (TestWindows t = new TestWindows(16, 8 << 20, 1000, 20_000, 31)) {
            List<TestWindows.Plan> tiles = new ArrayList<>();
            for (int i = 0; i < 12; i++) tiles.add(new TestWindows.Plan(1000 + i * 20_001L, 20_000));
            t.record(tiles, w -> { if (w.events().stream().anyMatch(e -> e.kind() == EventKind.CPUID)) out.add(w); });
        }
        assertTrue(!out.isEmpty(), "no window with a CPUID");
        return out;
    }

    /** The window with its first CPUID event claiming another leaf; its position in {@code at[0]}. */
    private static Window otherLeaf(Window w, long[] at) {
        List<PcmEvent> ev = new ArrayList<>(w.events());
        for (int i = 0; i < ev.size(); i++) {
            PcmEvent e = ev.get(i);
            if (e.kind() == EventKind.CPUID) {
                ev.set(i, new PcmEvent(e.kind(), e.vcpu(), e.position(), e.rip(), e.rcx(), e.address() ^ 0x40, e.value(),
                        e.data(), e.timestampNanos()));
                at[0] = e.position();
                break;
            }
        }
        return new TestWindows.TestWindow(w.id() + "+leaf", w.backend(), w.cpu(), w.initial(), ev, w.end());
    }

    private static void assertDivergesAtTheCpuid(ReplayVerifier v) throws Exception {
        Window w = windowsWithCpuid().getFirst();
        Verdict truth = v.verify(w, ReplayTest.FULL, p -> { });
        assertEquals(Outcome.MATCH, truth.outcome(), () -> "the true window matches: " + truth);
        long[] at = {-1};
        Verdict verdict = v.verify(otherLeaf(w, at), ReplayTest.FULL, p -> { });
        assertEquals(Outcome.DIVERGED, verdict.outcome(), verdict::toString);
        assertTrue(verdict.toString().contains("CPUID leaf"), verdict::toString);
        assertTrue(verdict.divergence().orElseThrow().position() <= at[0], verdict::toString);
    }

    @Test
    void softVerifierComparesTheLeaf() throws Exception {
        assertDivergesAtTheCpuid(new SoftReplayVerifier());
    }

    @Test
    void kvmVerifierComparesTheLeaf() throws Exception {
        KvmHypervisor hv = KvmHypervisor.standard();
        try {
            Assumptions.assumeTrue(hv.hostInfo().available(), () -> "KVM not usable here: " + hv.hostInfo().problem());
            assertDivergesAtTheCpuid(new KvmReplayVerifier(hv));
        } finally {
            hv.close();
        }
    }

    /** A replay past the kvm verifier's time limit ends INCONCLUSIVE naming the limit and where it stood, never hangs. */
    @Test
    void kvmVerifierGivesUpAtItsTimeLimit() throws Exception {
        KvmHypervisor hv = KvmHypervisor.standard();
        try {
            Assumptions.assumeTrue(hv.hostInfo().available(), () -> "KVM not usable here: " + hv.hostInfo().problem());
            KvmReplayVerifier v = new KvmReplayVerifier(hv);
            v.maxReplayNanos(1);
            Verdict verdict = v.verify(windowsWithCpuid().getFirst(), ReplayTest.FULL, p -> { });
            assertEquals(Outcome.INCONCLUSIVE, verdict.outcome(), verdict::toString);
            assertTrue(verdict.toString().contains("did not finish within 0 ms"), verdict::toString);
        } finally {
            hv.close();
        }
    }
}
