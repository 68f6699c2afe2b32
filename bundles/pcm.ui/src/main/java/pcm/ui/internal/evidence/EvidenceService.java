package pcm.ui.internal.evidence;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import pcm.core.api.sampling.Sampler;
import pcm.core.api.sampling.SamplingException;
import pcm.core.api.sampling.WindowInfo;
import pcm.core.api.sampling.WindowLogs;
import pcm.core.api.verify.RecordingCpu;
import pcm.core.api.verify.Verdict;
import pcm.core.api.verify.VerificationService;
import pcm.core.api.verify.Window;
import pcm.core.api.vm.Vm;
import pcm.ui.api.evidence.Evidence;
import pcm.ui.api.evidence.EvidenceBundle;
import pcm.ui.api.evidence.EvidenceException;
import pcm.ui.api.evidence.EvidenceException.Problem;

/**
 * The {@link Evidence} service: evidence bundles of the windows in the store (the event log's directory, as
 * {@code pcm:windows} and {@code pcm:log} see it through the kernel's {@link Sampler} and {@link WindowLogs}), collected
 * bundles in {@code <data>/evidence/}, imports into the store. Stateless but for a cache of checked collected bundles.
 */
@Component(service = Evidence.class)
public class EvidenceService implements Evidence {

    private static final Logger LOG = LoggerFactory.getLogger(EvidenceService.class);
    private static final String EVENT_LOG = WindowImport.EVENT_LOG;

    private final BundleContext context;
    private final Path collectedDir;
    private final Path verdictDir;
    /** Checked collected bundles by file, with the size and time they were checked at. */
    private final Map<Path, Cached> checked = new ConcurrentHashMap<>();

    private record Cached(long size, long modified, EvidenceBundle bundle) {}

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile Sampler sampler;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile WindowLogs logs;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile VerificationService verification;
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile Vm vm;

    @Activate
    public EvidenceService(BundleContext context) {
        this.context = context;
        String data = context.getProperty("pcm.data");
        Path dataDir = Path.of(data == null ? "pcm-data" : data);
        this.collectedDir = dataDir.resolve("evidence");
        this.verdictDir = dataDir.resolve("verdicts"); // where pcm.core's verification keeps them (<id>.verdicts)
    }

    @Override
    public EvidenceBundle export(String windowId, Path target) throws EvidenceException {
        Sampler s = sampler;
        Path dir = store();
        if (s == null) throw new EvidenceException(Problem.FAILED, "no sampler service (pcm.core's sampler is not active)");
        WindowInfo info = s.windows().stream().filter(w -> w.id().equals(windowId)).findFirst()
                .orElseThrow(() -> new EvidenceException(Problem.NO_WINDOW, "no window '" + windowId + "' in " + dir + " (pcm:windows lists them)"));
        if ("RECORDING".equals(info.state()))
            throw new EvidenceException(Problem.WINDOW_NOT_READY, "window " + windowId + " is being recorded; export it once it is closed");
        List<Path> files = new ArrayList<>(), pages = new ArrayList<>();
        for (Path f : windowFiles(s, dir, windowId)) (f.getNameCount() == 1 ? files : pages).add(dir.resolve(f));
        if (files.stream().noneMatch(p -> p.getFileName().toString().contains(EVENT_LOG)))
            throw new EvidenceException(Problem.WINDOW_NOT_READY, "window " + windowId + " has no event log in " + dir);
        RecordingCpu recording = null;
        String loadProblem = null;
        try {
            recording = s.window(windowId).map(Window::cpu).orElse(null);
        } catch (SamplingException e) {
            loadProblem = e.getMessage(); // a damaged window is evidence too: its files go as they are
        }
        VerificationService v = verification;
        List<Verdict> verdicts = v != null ? v.verdicts(windowId) : info.verdicts();
        ObjectNode evidence = evidence(info, files, loadProblem, verdicts, hostFacts(recording));
        ((ObjectNode) evidence.get("window")).put("pages", pages.size());
        EvidenceWriter.write(target, windowId, Instant.now(), evidence, files, pages);
        LOG.info("evidence of window {} written to {}", windowId, target);
        return EvidenceReader.check(target).bundle();
    }

    static ObjectNode evidence(WindowInfo info, List<Path> files, String loadProblem, List<Verdict> verdicts, Map<String, String> host) {
        ObjectNode n = EvidenceFormat.JSON.createObjectNode();
        n.put("windowId", info.id());
        ObjectNode w = n.putObject("window");
        w.put("state", info.state());
        w.put("backend", info.backend());
        w.put("instructions", info.instructions());
        w.put("bytes", info.sizeBytes());
        ObjectNode events = w.putObject("events");
        info.eventCounts().forEach((k, c) -> events.put(k.name(), c));
        ArrayNode names = w.putArray("files");
        files.forEach(f -> names.add(f.getFileName().toString()));
        if (loadProblem != null) w.put("loadProblem", loadProblem);
        ArrayNode vs = n.putArray("verdicts");
        ArrayNode ds = n.putArray("divergences");
        for (Verdict v : verdicts) {
            vs.add(EvidenceFormat.verdict(v));
            if (v.divergence().isPresent()) ds.add(EvidenceFormat.verdict(v));
        }
        ObjectNode h = n.putObject("host");
        host.forEach(h::put);
        return n;
    }

    private Map<String, String> hostFacts(RecordingCpu recording) {
        Map<String, String> bundles = new TreeMap<>();
        for (Bundle b : context.getBundles()) {
            String name = b.getSymbolicName();
            if (name != null && name.startsWith("pcm.")) bundles.put(name, b.getVersion().toString());
        }
        Vm machine = vm;
        VerificationService v = verification;
        return HostFacts.collect(recording, machine == null ? null : machine.backendDescription(),
                v == null ? List.of() : v.configuredVerifiers(), bundles);
    }

    @Override
    public synchronized EvidenceBundle collect(String windowId) throws EvidenceException {
        if (!EvidenceFormat.WINDOW_ID.matcher(windowId).matches())
            throw new EvidenceException(Problem.NO_WINDOW, "no window '" + windowId + "' (pcm:windows lists them)");
        // one at a time, so two collections of a window in the same millisecond get two names
        long millis = System.currentTimeMillis();
        Path target;
        while (Files.exists(target = collectedDir.resolve(windowId + "-" + millis + EvidenceFormat.SUFFIX))) millis++;
        return export(windowId, target);
    }

    @Override
    public List<EvidenceBundle> collected() {
        List<EvidenceBundle> out = new ArrayList<>();
        for (Path p : collectedFiles()) {
            try {
                out.add(checkCollected(p));
            } catch (EvidenceException e) {
                LOG.warn("collected evidence {} left out: {}", p.getFileName(), e.getMessage());
            }
        }
        out.sort(Comparator.comparing(EvidenceBundle::created));
        return out;
    }

    @Override
    public Optional<EvidenceBundle> collected(String id) throws EvidenceException {
        if (!EvidenceFormat.WINDOW_ID.matcher(id).matches()) return Optional.empty();
        Path p = collectedDir.resolve(id + EvidenceFormat.SUFFIX);
        return Files.isRegularFile(p) ? Optional.of(checkCollected(p)) : Optional.empty();
    }

    private List<Path> collectedFiles() {
        if (!Files.isDirectory(collectedDir)) return List.of();
        try (var s = Files.list(collectedDir)) {
            return s.filter(p -> p.getFileName().toString().endsWith(EvidenceFormat.SUFFIX)).sorted().toList();
        } catch (IOException e) {
            LOG.warn("cannot list {}: {}", collectedDir, e.toString());
            return List.of();
        }
    }

    private EvidenceBundle checkCollected(Path p) throws EvidenceException {
        try {
            long size = Files.size(p);
            long modified = Files.getLastModifiedTime(p).toMillis();
            Cached c = checked.get(p);
            if (c != null && c.size() == size && c.modified() == modified) return c.bundle();
            EvidenceBundle b = EvidenceReader.check(p).bundle();
            checked.put(p, new Cached(size, modified, b));
            return b;
        } catch (IOException e) {
            throw new EvidenceException(Problem.FAILED, null, "cannot read " + p + ": " + e, e);
        }
    }

    @Override
    public EvidenceBundle check(Path archive) throws EvidenceException {
        return EvidenceReader.check(archive).bundle();
    }

    @Override
    public EvidenceBundle importWindow(Path archive, boolean replace) throws EvidenceException {
        Path dir = store();
        EvidenceBundle b;
        try {
            Sampler s = sampler;
            // the hold keeps the store's sweeps off the window's pages and files until its log lands
            WindowImport.Hold hold = s == null ? WindowImport.NO_HOLD : (id, pages) -> {
                Sampler.ImportHold h;
                try {
                    h = s.holdForImport(id, pages);
                } catch (SamplingException e) {
                    throw new EvidenceException(Problem.FAILED, null, "cannot hold window " + id + " for the import: " + e.getMessage(), e);
                }
                return new WindowImport.Held() {
                    @Override
                    public void checkPage(Path pageFile, Path file, String member) throws EvidenceException {
                        try {
                            h.checkPage(pageFile, file);
                        } catch (SamplingException e) {
                            throw new EvidenceException(Problem.DAMAGED_MEMBER, member, "member " + member + " is not the page its name says: "
                                    + e.getMessage(), e);
                        }
                    }

                    @Override
                    public void close() { h.close(); }
                };
            };
            b = WindowImport.into(archive, dir, verdictDir, replace, hold);
        } catch (EvidenceException e) {
            LOG.warn("evidence import of {} refused: {} [{}]", archive, e.getMessage(), e.problem());
            throw e;
        }
        LOG.info("window {} imported from {} into {}{}", b.windowId(), archive, dir, replace ? " (replace allowed)" : "");
        return b;
    }

    private Path store() throws EvidenceException {
        WindowLogs l = logs;
        String d = l == null ? null : l.directory();
        if (d == null) throw new EvidenceException(Problem.FAILED, "no window store (pcm.core's event log is not active)");
        return Path.of(d);
    }

    /**
     * Every file the window needs, relative to the store: its own ({@code <utc-time>_<id>_<kind>}) and the page-store
     * files its memory maps name ({@code pages/<sha256>.page}), as pcm.core's sampler lists them.
     */
    private static List<Path> windowFiles(Sampler s, Path dir, String id) throws EvidenceException {
        try {
            List<Path> files = s.windowFiles(id);
            for (Path f : files) {
                boolean own = f.getNameCount() == 1, page = f.getNameCount() == 2 && f.getName(0).toString().equals(WindowImport.PAGES)
                        && EvidenceFormat.PAGE_NAME.matcher(f.getFileName().toString()).matches();
                if (!own && !page) throw new EvidenceException(Problem.FAILED, "the sampler names a file " + f + " of window " + id
                        + " that is neither a window file nor a page file");
            }
            return files;
        } catch (SamplingException e) {
            throw new EvidenceException(Problem.FAILED, null, "cannot list the files of window " + id + " in " + dir + ": " + e.getMessage(), e);
        }
    }
}
