package pcm.redfish.internal.oem;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.junit.jupiter.api.Test;

import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;
import pcm.core.api.verify.Divergence;
import pcm.core.api.verify.Verdict;

class WindowResourcesTest {

    @Test
    void aWindowBeganAtTheMillisecondsOfItsId() {
        assertEquals(Instant.ofEpochMilli(1796581423741L), WindowResources.startOf("w1796581423741"));
        assertNull(WindowResources.startOf("imported-7"));
        assertNull(WindowResources.startOf("w"));
        assertNull(WindowResources.startOf("wabc"));
    }

    @Test
    void theWorstVerdictIsTheWindows() {
        Verdict match = Verdict.match("soft", "w1", 10);
        Verdict unsure = Verdict.inconclusive("kvm", "w1", 10, "no answer");
        Verdict diverged = Verdict.diverged("inject", "w1", 10, new Divergence(5, 0x1000, List.of("rax: 0x1 != 0x2")));
        assertEquals("NONE", WindowResources.overall(List.of()));
        assertEquals("MATCH", WindowResources.overall(List.of(match)));
        assertEquals("INCONCLUSIVE", WindowResources.overall(List.of(match, unsure)));
        assertEquals("DIVERGED", WindowResources.overall(List.of(unsure, diverged, match)));
        var d = WindowResources.verdict(diverged).get("Divergence");
        assertEquals(5, d.get("Position").asLong());
        assertEquals("0x1000", d.get("Rip").asText());
        assertEquals("rax: 0x1 != 0x2", d.get("Differences").get(0).asText());
        assertEquals(Optional.empty(), match.divergence());
    }

    static PcmEvent event(EventKind kind, long position) {
        return new PcmEvent(kind, 0, position, 0x1000 + position, 0, 0x3f8, 0, kind == EventKind.STATE ? "hi".getBytes() : null, 0);
    }

    @Test
    void aPageCountsEveryMatchingEventAndHoldsOnlyItsOwn() {
        var page = new WindowResources.EventPage(Set.of(EventKind.PIO_IN), 2, 3);
        for (int i = 0; i < 20; i++) page.accept(event(i % 2 == 0 ? EventKind.PIO_IN : EventKind.CHECKPOINT, i));
        var body = page.body("w1", "PIO_IN", "VALID", null);
        assertEquals(20, body.get("Total").asLong());
        assertEquals(10, body.get("Members@odata.count").asLong());
        assertEquals(3, body.get("Members").size());
        assertEquals(4, body.get("Members").get(0).get("Index").asLong()); // the third PIO_IN is the fifth event
        assertEquals("PIO_IN", body.get("Members").get(2).get("Kind").asText());
    }

    @Test
    void kindsAreAnEnumListAndAnUnknownOneIsRefused() {
        assertEquals(Set.of(), WindowResources.kinds(null));
        assertEquals(Set.of(EventKind.CPUID, EventKind.STATE), WindowResources.kinds("cpuid, STATE"));
        assertThrows(IllegalArgumentException.class, () -> WindowResources.kinds("NOSUCH"));
    }
}
