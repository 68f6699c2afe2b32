package pcm.redfish.internal.resources;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import pcm.core.api.verify.Divergence;
import pcm.core.api.verify.Outcome;
import pcm.core.api.verify.Verdict;

/** ClearLog of the verdict log: what it hides, what comes back, what survives a restart, and that it deletes nothing. */
class ClearedVerdictsTest {

    @TempDir
    Path data;

    static Verdict match(String w, String rcp) {
        return Verdict.match(rcp, w, 2000);
    }

    static Verdict diverged(String w, String rcp) {
        return Verdict.diverged(rcp, w, 2000, new Divergence(500, 0x1000, List.of("rax: 0x1 != 0x3")));
    }

    @Test
    void clearingHidesTheVerdictsListedThenAndShowsLaterOnesAlsoAfterARestart() throws Exception {
        Map<String, List<Verdict>> store = new LinkedHashMap<>();
        store.put("w1", List.of(match("w1", "soft"), diverged("w1", "inject")));
        store.put("w2", List.of(match("w2", "soft")));
        Path verdictFile = Files.createDirectories(data.resolve("verdicts")).resolve("w1.verdicts");
        Files.writeString(verdictFile, "kept\n");
        ClearedVerdicts c = new ClearedVerdicts(data);
        assertEquals(3, c.visible(store).size());
        String before = ClearedVerdicts.etag(c.visible(store));
        ClearedVerdicts.Summary s = c.clear(store, "admin", Instant.parse("2026-12-07T10:00:00Z"));
        assertEquals(3, s.entries());
        assertEquals(Map.of(Outcome.MATCH, 2, Outcome.DIVERGED, 1), s.outcomes());
        assertEquals(List.of(), c.visible(store));
        assertNotEquals(before, ClearedVerdicts.etag(c.visible(store)));
        assertEquals("kept\n", Files.readString(verdictFile), "the verdict files are not touched");
        // later: a verdict of a new verifier on w2, a new window w3; w1 left the store (retention)
        store.remove("w1");
        store.put("w2", List.of(match("w2", "soft"), match("w2", "kvm")));
        store.put("w3", List.of(diverged("w3", "soft")));
        List<Verdict> shown = new ClearedVerdicts(data).visible(store);
        assertEquals(List.of(match("w2", "kvm"), diverged("w3", "soft")), shown, "a restart keeps the clear");
        assertEquals("admin", new ClearedVerdicts(data).last().orElseThrow().user());
        // w2's verdicts replaced (evidence import --replace): all of its verdicts show again, never fewer
        store.put("w2", List.of(diverged("w2", "soft")));
        assertEquals(List.of(diverged("w2", "soft"), diverged("w3", "soft")), c.visible(store));
    }

    @Test
    void anUnreadableRecordHidesNothing() throws Exception {
        Files.createDirectories(data.resolve("verdicts"));
        Files.writeString(data.resolve(ClearedVerdicts.FILE), "{ not json");
        ClearedVerdicts c = new ClearedVerdicts(data);
        Map<String, List<Verdict>> store = Map.of("w1", List.of(diverged("w1", "soft")));
        assertEquals(1, c.visible(store).size());
        assertTrue(c.last().isEmpty());
    }
}
