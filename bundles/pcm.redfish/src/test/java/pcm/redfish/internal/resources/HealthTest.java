package pcm.redfish.internal.resources;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

import pcm.core.api.verify.Verdict;
import pcm.core.api.vm.VmState;

/** Issue 16 item 3: the processors' health is the CPU check's verdicts; the guest's power state is the VM's. */
class HealthTest {

    static final Verdict MATCH = Verdict.match("soft", "w1", 10);
    static final Verdict UNSURE = Verdict.inconclusive("kvm", "w1", 10, "no verifier");
    static final Verdict DIVERGED = new Verdict(pcm.core.api.verify.Outcome.DIVERGED, "soft", "w2", 10, Optional.empty(), "rax");

    @Test
    void worstVerdictWins() {
        assertEquals(Health.OK, Health.of(List.of()));
        assertEquals(Health.OK, Health.of(List.of(MATCH)));
        assertEquals(Health.WARNING, Health.of(List.of(MATCH, UNSURE)));
        assertEquals(Health.CRITICAL, Health.of(List.of(UNSURE, DIVERGED, MATCH)));
        assertEquals(Health.CRITICAL, Health.of(DIVERGED));
    }

    @Test
    void powerStateOfEachVmState() {
        assertEquals("Off", SystemResources.powerState(VmState.CREATED));
        assertEquals("On", SystemResources.powerState(VmState.RUNNING));
        assertEquals("Paused", SystemResources.powerState(VmState.PAUSED));
        assertEquals("Off", SystemResources.powerState(VmState.STOPPED));
    }

    @Test
    void logEntryOfAVerdict() {
        var e = VerdictLog.entry(DIVERGED);
        assertEquals("w2.soft", e.get("Id").asText());
        assertEquals(Odata.VERDICT_LOG + "/Entries/w2.soft", e.get("@odata.id").asText());
        assertEquals("Critical", e.get("Severity").asText());
        assertEquals("DIVERGED", e.get("Oem").get("Pcm").get("Outcome").asText());
    }
}
