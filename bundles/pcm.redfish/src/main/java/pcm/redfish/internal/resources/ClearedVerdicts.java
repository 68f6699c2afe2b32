package pcm.redfish.internal.resources;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.core.type.TypeReference;

import pcm.core.api.verify.Outcome;
import pcm.core.api.verify.Verdict;
import pcm.redfish.internal.Json;

/**
 * What {@code LogService.ClearLog} of the verdict log cleared: for each window in the store then, the verdicts it had
 * (verifier and outcome, in order). The log — and the health the processors show, which follows it — then lists only
 * verdicts that came later. Nothing is deleted: the windows, their verdict files ({@code <data>/verdicts/}) and evidence
 * bundles stay until retention ({@code pcm.eventlog}) or the operator removes them, and the OEM window resources still
 * show every verdict. Kept in {@value #FILE} so a restart does not bring cleared entries back.
 * <p>
 * A window's cleared verdicts hide only while its verdicts still begin with them: a window whose verdicts were replaced
 * (an evidence import with --replace) shows all of its new ones, never fewer than were cleared.
 */
public final class ClearedVerdicts {

    public static final String FILE = "verdicts/cleared-log.json";
    private static final Logger LOG = LoggerFactory.getLogger(ClearedVerdicts.class);

    /** The last clear: when, by whom, how many entries and of which outcome. */
    public record Summary(Instant time, String user, int entries, Map<Outcome, Integer> outcomes) {}

    /** The file's content (Jackson-bound). */
    record Stored(String time, String user, int entries, Map<String, Integer> outcomes, Map<String, List<String>> windows) {}

    private final Path file;
    private volatile Stored stored;

    public ClearedVerdicts(Path data) {
        this.file = data == null ? null : data.resolve(FILE);
        this.stored = load(file);
    }

    private static Stored load(Path file) {
        if (file == null || !Files.isRegularFile(file)) return null;
        try {
            return Json.MAPPER.readValue(file.toFile(), new TypeReference<Stored>() {});
        } catch (IOException e) {
            // unreadable: show every verdict rather than hide some by a guess
            LOG.warn("{} is unreadable, the verdict log shows every verdict: {}", file, e.toString());
            return null;
        }
    }

    /** The verdicts the log lists: every window's, without those cleared. */
    public List<Verdict> visible(Map<String, List<Verdict>> byWindow) {
        Stored s = stored;
        List<Verdict> out = new ArrayList<>();
        for (Map.Entry<String, List<Verdict>> w : byWindow.entrySet()) {
            List<String> cleared = s == null ? null : s.windows().get(w.getKey());
            List<Verdict> all = w.getValue();
            int skip = cleared != null && startsWith(all, cleared) ? cleared.size() : 0;
            out.addAll(all.subList(skip, all.size()));
        }
        return out;
    }

    private static boolean startsWith(List<Verdict> verdicts, List<String> cleared) {
        if (cleared.size() > verdicts.size()) return false;
        for (int i = 0; i < cleared.size(); i++) if (!key(verdicts.get(i)).equals(cleared.get(i))) return false;
        return true;
    }

    private static String key(Verdict v) {
        return v.rcp() + ":" + v.outcome();
    }

    /**
     * Clears every verdict listed now; returns what was cleared. Windows no longer in the store (retention) are
     * forgotten here too. Written to a new file, then renamed: the old marks or the new ones, never half.
     */
    public synchronized Summary clear(Map<String, List<Verdict>> byWindow, String user, Instant now) throws IOException {
        List<Verdict> clearing = visible(byWindow);
        Map<Outcome, Integer> outcomes = new EnumMap<>(Outcome.class);
        for (Verdict v : clearing) outcomes.merge(v.outcome(), 1, Integer::sum);
        Map<String, List<String>> windows = new LinkedHashMap<>();
        byWindow.forEach((id, verdicts) -> {
            if (!verdicts.isEmpty()) windows.put(id, verdicts.stream().map(ClearedVerdicts::key).toList());
        });
        Map<String, Integer> byName = new LinkedHashMap<>();
        outcomes.forEach((o, n) -> byName.put(o.name(), n));
        Stored s = new Stored(now.toString(), user, clearing.size(), byName, windows);
        if (file != null) {
            Files.createDirectories(file.getParent());
            Path tmp = file.resolveSibling(file.getFileName() + ".new");
            Files.write(tmp, Json.MAPPER.writeValueAsBytes(s));
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        }
        stored = s;
        return summary(s);
    }

    public Optional<Summary> last() {
        Stored s = stored;
        return s == null ? Optional.empty() : Optional.of(summary(s));
    }

    private static Summary summary(Stored s) {
        Map<Outcome, Integer> o = new EnumMap<>(Outcome.class);
        if (s.outcomes() != null)
            for (Outcome out : Outcome.values()) if (s.outcomes().get(out.name()) != null) o.put(out, s.outcomes().get(out.name()));
        return new Summary(Instant.parse(s.time()), s.user(), s.entries(), o);
    }

    /** The entity tag of a listing: changes whenever an entry comes or goes (ClearLog's LogEntriesETag). */
    public static String etag(List<Verdict> listed) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            for (Verdict v : listed) d.update((v.windowId() + "." + key(v) + "\n").getBytes(StandardCharsets.UTF_8));
            return "\"" + HexFormat.of().formatHex(d.digest(), 0, 12) + "\"";
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
