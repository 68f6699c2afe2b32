package pcm.redfish.internal.oem;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import pcm.core.api.cpu.Registers;
import pcm.core.api.cpu.SpecialRegisters;
import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;
import pcm.core.api.sampling.WindowInfo;
import pcm.core.api.verify.Outcome;
import pcm.core.api.verify.Snapshot;
import pcm.core.api.verify.Verdict;
import pcm.core.api.verify.Window;
import pcm.redfish.internal.Json;

/**
 * PCM's windows as OEM resources ({@value #WINDOWS}): the store's listing with each window's verdicts (what the web
 * console's timeline plots), one window with its snapshots' summary and where a verifier found it diverged, and its
 * events, paged and filtered by kind.
 */
public final class WindowResources {

    public static final String BASE = "/redfish/v1/Oem/Pcm";
    public static final String WINDOWS = BASE + "/Windows";
    /** The most events one page holds ({@code $top} is capped to it). */
    public static final int MAX_PAGE = 500;
    /** Bytes of an event's payload shown (hex); the rest is counted, not sent. */
    static final int DATA_SHOWN = 64;

    private WindowResources() {}

    /** The time a window began: its id is "w" and the epoch milliseconds of its start (SamplingEngine); else null. */
    static Instant startOf(String id) {
        if (id == null || id.length() < 2 || id.charAt(0) != 'w') return null;
        try {
            return Instant.ofEpochMilli(Long.parseLong(id.substring(1)));
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /** The window's overall verdict: DIVERGED if any verifier said so, else INCONCLUSIVE if any, MATCH, or NONE. */
    static String overall(List<Verdict> verdicts) {
        if (verdicts.stream().anyMatch(v -> v.outcome() == Outcome.DIVERGED)) return Outcome.DIVERGED.name();
        if (verdicts.stream().anyMatch(v -> v.outcome() == Outcome.INCONCLUSIVE)) return Outcome.INCONCLUSIVE.name();
        return verdicts.isEmpty() ? "NONE" : Outcome.MATCH.name();
    }

    static ObjectNode summary(WindowInfo w, List<Verdict> verdicts) {
        ObjectNode n = Json.object();
        n.put("@odata.id", WINDOWS + "/" + w.id());
        n.put("Id", w.id());
        Instant start = startOf(w.id());
        if (start != null) n.put("StartTime", start.toString());
        else n.putNull("StartTime");
        n.put("State", w.state());
        n.put("Backend", w.backend());
        n.put("Instructions", w.instructions());
        n.put("Events", w.eventCounts().values().stream().mapToLong(Long::longValue).sum());
        n.put("SizeBytes", w.sizeBytes());
        n.put("Outcome", overall(verdicts));
        ArrayNode vs = n.putArray("Verdicts");
        for (Verdict v : verdicts) vs.add(verdict(v));
        return n;
    }

    static ObjectNode verdict(Verdict v) {
        ObjectNode o = Json.object();
        o.put("Verifier", v.rcp());
        o.put("Outcome", v.outcome().name());
        o.put("Instructions", v.instructions());
        if (!v.detail().isEmpty()) o.put("Detail", v.detail());
        v.divergence().ifPresent(d -> {
            ObjectNode dn = o.putObject("Divergence");
            dn.put("Position", d.position());
            dn.put("Rip", hex(d.rip()));
            ArrayNode diffs = dn.putArray("Differences");
            d.differences().forEach(diffs::add);
        });
        return o;
    }

    public static ObjectNode collection(List<WindowInfo> windows, Function<WindowInfo, List<Verdict>> verdicts) {
        ObjectNode n = Json.object();
        n.put("@odata.id", WINDOWS);
        n.put("@odata.type", "#PcmWindowCollection.PcmWindowCollection");
        n.put("Name", "Sampling windows");
        n.put("Description", "The window store, oldest first; each member is expanded with its verdicts");
        ArrayNode members = n.putArray("Members");
        for (WindowInfo w : windows) members.add(summary(w, verdicts.apply(w)));
        n.put("Members@odata.count", windows.size());
        return n;
    }

    /** One window; {@code loaded} is the window loaded for replay (null with {@code problem} saying why). */
    public static ObjectNode window(WindowInfo w, List<Verdict> verdicts, Window loaded, String problem) {
        ObjectNode n = summary(w, verdicts);
        n.put("@odata.type", "#PcmWindow.v1_0_0.PcmWindow");
        n.put("Name", "Window " + w.id());
        ObjectNode counts = n.putObject("EventCounts");
        w.eventCounts().forEach((k, c) -> counts.put(k.name(), c));
        n.putObject("EventLog").put("@odata.id", WINDOWS + "/" + w.id() + "/Events");
        if (loaded != null) {
            ObjectNode snaps = n.putObject("Snapshots");
            snaps.set("Initial", snapshot(loaded.initial()));
            snaps.set("End", snapshot(loaded.end()));
            n.put("RecordingCpu", String.valueOf(loaded.cpu()));
        } else if (problem != null) n.put("SnapshotProblem", problem);
        return n;
    }

    static ObjectNode snapshot(Snapshot s) {
        ObjectNode n = Json.object();
        n.put("Position", s.position());
        ObjectNode regs = n.putObject("Registers");
        long[] values = s.registers().toArray();
        for (int i = 0; i < values.length; i++) regs.put(Registers.NAMES[i], hex(values[i]));
        SpecialRegisters sr = s.specialRegisters();
        if (sr != null) {
            regs.put("cr0", hex(sr.cr0()));
            regs.put("cr3", hex(sr.cr3()));
            regs.put("cr4", hex(sr.cr4()));
            regs.put("efer", hex(sr.efer()));
        }
        n.put("Msrs", s.msrs() == null ? 0 : s.msrs().size());
        n.put("MemoryBytes", s.memory() == null ? 0 : s.memory().size());
        return n;
    }

    /** The kinds named in a {@code kind} query ("PIO_IN,CPUID"); empty means every kind. */
    public static Set<EventKind> kinds(String query) {
        if (query == null || query.isBlank()) return Set.of();
        Set<EventKind> out = new java.util.HashSet<>();
        for (String k : query.split(",")) {
            if (!k.isBlank()) out.add(EventKind.valueOf(k.strip().toUpperCase(java.util.Locale.ROOT)));
        }
        return out;
    }

    /** A page of events: {@code skip} of those that match {@code kinds}, at most {@code top}. */
    public static final class EventPage implements java.util.function.Consumer<PcmEvent> {
        final Set<EventKind> kinds;
        final long skip;
        final int top;
        long index;
        long matching;
        final List<ObjectNode> members = new ArrayList<>();

        public EventPage(Set<EventKind> kinds, long skip, int top) {
            this.kinds = kinds;
            this.skip = skip;
            this.top = top;
        }

        @Override
        public void accept(PcmEvent e) {
            long i = index++;
            if (!kinds.isEmpty() && !kinds.contains(e.kind())) return;
            long m = matching++;
            if (m >= skip && members.size() < top) members.add(event(i, e));
        }

        public ObjectNode body(String windowId, String kindQuery, String logStatus, String problem) {
            ObjectNode n = Json.object();
            n.put("@odata.id", WINDOWS + "/" + windowId + "/Events");
            n.put("@odata.type", "#PcmEventCollection.PcmEventCollection");
            n.put("Name", "Events of window " + windowId);
            n.put("Total", index);
            n.put("Members@odata.count", matching);
            n.put("Skip", skip);
            n.put("Top", top);
            if (kindQuery != null) n.put("Kind", kindQuery);
            n.put("LogStatus", logStatus);
            if (problem != null) n.put("Problem", problem);
            ArrayNode a = n.putArray("Members");
            members.forEach(a::add);
            return n;
        }
    }

    static ObjectNode event(long index, PcmEvent e) {
        ObjectNode o = Json.object();
        o.put("Index", index);
        o.put("Kind", e.kind().name());
        o.put("Vcpu", e.vcpu());
        o.put("Position", e.position());
        o.put("Rip", hex(e.rip()));
        o.put("Address", hex(e.address()));
        o.put("Value", hex(e.value()));
        byte[] d = e.data();
        if (d.length > 0) {
            if (e.kind() == EventKind.STATE) o.put("Text", new String(d, java.nio.charset.StandardCharsets.UTF_8));
            else o.put("Data", HexFormat.of().formatHex(d, 0, Math.min(d.length, DATA_SHOWN)) + (d.length > DATA_SHOWN ? "…" : ""));
            o.put("DataBytes", d.length);
        }
        return o;
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    /** Counts of windows by overall verdict, for the dashboard. */
    public static Map<String, Long> outcomes(List<WindowInfo> windows, Function<WindowInfo, List<Verdict>> verdicts) {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        for (String o : List.of("MATCH", "DIVERGED", "INCONCLUSIVE", "NONE")) m.put(o, 0L);
        for (WindowInfo w : windows) m.merge(overall(verdicts.apply(w)), 1L, Long::sum);
        return m;
    }
}
