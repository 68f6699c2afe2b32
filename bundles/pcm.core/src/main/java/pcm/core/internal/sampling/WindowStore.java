package pcm.core.internal.sampling;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

import pcm.core.api.cpu.CpuIdentity;
import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;
import pcm.core.api.sampling.SamplingException;
import pcm.core.api.sampling.WindowDamagedException;
import pcm.core.api.sampling.WindowDamagedException.Problem;
import pcm.core.api.sampling.WindowInfo;
import pcm.core.api.sampling.WindowLogs;
import pcm.core.api.verify.RecordingCpu;
import pcm.core.api.verify.Snapshot;
import pcm.core.api.verify.Window;
import pcm.core.internal.log.CorruptRecordException;
import pcm.core.internal.log.LogCheck;
import pcm.core.internal.log.LogException;
import pcm.core.internal.log.LogFormat;
import pcm.core.internal.log.LogHeader;
import pcm.core.internal.log.LogJson;
import pcm.core.internal.log.LogHeader;
import pcm.core.internal.log.LogReader;
import pcm.core.internal.log.TornWindowException;
import pcm.core.internal.log.UnsupportedLogVersionException;

/**
 * The windows in one directory (the event log's): files of a window share the prefix
 * {@code <utc-time>_<window-id>_} — {@code events.pcmlog} (the event log), {@code cpu.bin},
 * {@code mem-initial.bin}, {@code mem-final.bin}. Window ids are made of {@code [A-Za-z0-9.-]}.
 */
final class WindowStore {

    private final Path dir;

    WindowStore(Path dir) {
        this.dir = dir;
    }

    Path directory() { return dir; }

    /** The window id in a file name, or null. */
    static String idOf(String fileName) {
        int a = fileName.indexOf('_');
        int b = a < 0 ? -1 : fileName.indexOf('_', a + 1);
        return b < 0 ? null : fileName.substring(a + 1, b);
    }

    /** All files of the window, by name. */
    List<Path> files(String id) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> id.equals(idOf(p.getFileName().toString()))).sorted().toList();
        }
    }

    private static Optional<Path> bySuffix(List<Path> files, String suffix) {
        return files.stream().filter(p -> p.getFileName().toString().endsWith(suffix)).findFirst();
    }

    /** The window's event log: committed if there is one, else a {@code .part}/{@code .failed} one. */
    Optional<Path> log(String id) throws IOException {
        return logOf(files(id));
    }

    private static Optional<Path> logOf(List<Path> files) {
        Optional<Path> committed = bySuffix(files, LogFormat.SUFFIX);
        return committed.isPresent() ? committed : files.stream().filter(LogFormat::isWindowFile).findFirst();
    }

    /** A window named by id or by one of its file names. */
    String resolve(String window) {
        String id = window.contains("_") ? idOf(Path.of(window).getFileName().toString()) : window;
        return id == null ? window : id;
    }

    /** Window ids with an event log, oldest first. */
    List<String> ids() throws IOException {
        List<String> out = new ArrayList<>();
        for (Path p : LogCheck.windowFiles(dir)) {
            String id = idOf(p.getFileName().toString());
            if (id != null && !out.contains(id)) out.add(id);
        }
        return out;
    }

    // ---------------------------------------------------------------- listing

    /**
     * What the shell shows of a window; {@code recording} is the id being recorded now (or null); null if the window
     * is gone (retention deleted it while it was listed).
     */
    WindowInfo info(String id, String recording) throws IOException {
        return info(id, recording, files(id));
    }

    /**
     * From a listing of the window's files that may be stale: a {@code .part} renamed to its final name, or a file
     * retention deleted, since it was taken. Such a window is listed again (a few times), never an error.
     */
    WindowInfo info(String id, String recording, List<Path> listed) throws IOException {
        List<Path> fs = listed;
        for (int attempt = 0; ; attempt++) {
            try {
                return infoOf(id, recording, fs);
            } catch (NoSuchFileException e) {
                fs = files(id);
                if (fs.isEmpty()) return null;
                if (attempt == 4) throw e;
            }
        }
    }

    private WindowInfo infoOf(String id, String recording, List<Path> fs) throws IOException {
        Optional<Path> log = logOf(fs);
        long size = 0;
        for (Path p : fs) size += Files.size(p);
        long[] end = {-1};
        LogCheck.Result r = log.isEmpty() ? null : LogCheck.scan(log.get(), e -> {
            if (e.kind() == EventKind.END) end[0] = e.position();
        });
        LogCheck.Status status = r == null ? LogCheck.Status.UNREADABLE : r.status();
        if (status == LogCheck.Status.UNREADABLE && log.isPresent() && !Files.exists(log.get())) {
            throw new NoSuchFileException(log.get().toString()); // committed (renamed) while it was read
        }
        String state;
        if (id.equals(recording)) state = "RECORDING";
        else if (status == LogCheck.Status.VALID) {
            state = bySuffix(fs, SnapshotFiles.CPU_SUFFIX).isPresent() && bySuffix(fs, SnapshotFiles.MEM_FINAL_SUFFIX).isPresent()
                    && bySuffix(fs, SnapshotFiles.MEM_INITIAL_SUFFIX).isPresent() ? "COMPLETE" : "FAILED";
        } else if (status == LogCheck.Status.TORN) {
            state = log.get().getFileName().toString().endsWith(LogFormat.FAILED) ? "FAILED" : "TORN";
        } else {
            state = "FAILED";
        }
        String backend = r == null || r.header() == null ? "?" : r.header().backend();
        Map<EventKind, Long> counts = r == null ? new EnumMap<>(EventKind.class) : r.byKind();
        return new WindowInfo(id, state, backend, end[0], counts, size, List.of(), traceInfo(fs));
    }

    /** The traces the window's CPU file lists (empty without one, or if it cannot be read: loading says why). */
    private static List<WindowInfo.TraceInfo> traceInfo(List<Path> fs) {
        Optional<Path> cpuFile = bySuffix(fs, SnapshotFiles.CPU_SUFFIX);
        if (cpuFile.isEmpty()) return List.of();
        try {
            SnapshotFiles.CpuFile cpu = SnapshotFiles.readCpu(cpuFile.get());
            if (cpu.binding() == null) return List.of();
            return cpu.binding().traces().stream().map(t -> new WindowInfo.TraceInfo(t.tracerId(), t.kind().name(),
                    t.status().name(), t.records(), t.bytes(), t.dropped(), t.reason())).toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    WindowLogs.LogStatus read(String window, Consumer<PcmEvent> visitor) throws SamplingException {
        String id = resolve(window);
        Path file;
        try {
            file = log(id).orElseThrow(() -> new SamplingException("no window '" + window + "' in " + dir));
        } catch (IOException e) {
            throw new SamplingException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        return status(id, LogCheck.scan(file, visitor));
    }

    WindowLogs.LogStatus exportJson(String window, Appendable out) throws SamplingException, IOException {
        String id = resolve(window);
        Path file = log(id).orElseThrow(() -> new SamplingException("no window '" + window + "' in " + dir));
        LogCheck.Result r = LogJson.export(file, out);
        return status(id, r);
    }

    static WindowLogs.LogStatus status(String id, LogCheck.Result r) {
        return new WindowLogs.LogStatus(id, r.file().getFileName().toString(), r.status().name(),
                r.header() == null ? null : r.header().backend(), r.events(), r.byKind(), r.bytes(), r.problem(),
                r.valid() ? r.streamCheck() : null);
    }

    // ---------------------------------------------------------------- loading

    /** Loads a complete window; empty if there is none of that id; typed errors for damaged files. */
    Optional<Window> load(String window) throws SamplingException {
        String id = resolve(window);
        try {
            List<Path> fs = files(id);
            Optional<Path> log = logOf(fs);
            if (log.isEmpty()) return Optional.empty();
            LogReader.LogContents contents;
            try {
                contents = LogReader.readAll(log.get());
            } catch (LogException e) {
                Problem p = switch (e) {
                    case TornWindowException t -> Problem.TRUNCATED;
                    case CorruptRecordException c -> SnapshotFiles.isSnapshot(log.get()) ? Problem.MISMATCHED : Problem.CORRUPT;
                    case UnsupportedLogVersionException u -> Problem.UNSUPPORTED;
                };
                throw new WindowDamagedException(id, log.get().getFileName().toString(), p, e.getMessage(), e);
            }
            // integrity (issue 11 item 5): each file names its window and role, a mix-up is damage, never a verdict
            LogHeader h = contents.header();
            WindowIntegrity.log(id, log.get(), fs, h);
            Path cpuFile = WindowIntegrity.file(id, log.get(), fs, SnapshotFiles.CPU_SUFFIX);
            Path memInitial = WindowIntegrity.file(id, log.get(), fs, SnapshotFiles.MEM_INITIAL_SUFFIX);
            Path memFinal = WindowIntegrity.file(id, log.get(), fs, SnapshotFiles.MEM_FINAL_SUFFIX);
            SnapshotFiles.CpuFile cpu = SnapshotFiles.readCpu(cpuFile);
            WindowIntegrity.cpu(id, cpuFile, cpu, h, contents.events().getLast());
            // each memory file is checked to be this window's before its pages are loaded (a page map names them)
            PageStore pages = PageStore.of(dir);
            SnapshotFiles.MemoryFile initialFile = SnapshotFiles.readMemory(memInitial, null);
            WindowIntegrity.memory(id, memInitial, initialFile, SnapshotFiles.INITIAL, h, cpu);
            PageImage initial = PageMaps.resolve(initialFile, pages, id, memInitial, null);
            SnapshotFiles.MemoryFile finalFile = SnapshotFiles.readMemory(memFinal, initial);
            WindowIntegrity.memory(id, memFinal, finalFile, SnapshotFiles.FINAL, h, cpu);
            PageImage end = PageMaps.resolve(finalFile, pages, id, memFinal, initial);
            String logName = log.get().getFileName().toString();
            List<pcm.core.api.tracer.Trace> traces = cpu.binding() == null ? List.of() : TraceFiles.load(id, dir,
                    logName.substring(0, logName.length() - LogFormat.SUFFIX.length()), cpu.binding().traces());
            List<PcmEvent> events = contents.events().stream()
                    .filter(e -> e.kind() != EventKind.STATE).toList();
            return Optional.of(new StoredWindow(id, contents.header().backend(), recordingCpu(contents.header()),
                    snapshot(cpu.initial(), initial), events,
                    snapshot(cpu.end(), end), contents.header().startTimestampNanos(), traces));
        } catch (SnapshotFormatException e) {
            throw new WindowDamagedException(id, e.file().getFileName().toString(), e.problem(), e.getMessage(), e);
        } catch (IOException e) {
            throw new SamplingException("cannot read window " + id + " in " + dir + ": " + e.getMessage(), e);
        }
    }

    /**
     * The recording CPU from the log header: the model the recorder named, else (logs before it did) the model
     * of the header's vendor — the host's vendor at recording, which was the model every backend used then.
     */
    static RecordingCpu recordingCpu(LogHeader h) {
        String model = h.properties().get(UNDEFINED_FLAGS);
        if (model == null) model = CpuIdentity.flagsOfVendor(h.cpuVendor());
        return new RecordingCpu(h.backend(), new CpuIdentity(h.cpuVendor(), h.cpuSignature(), model));
    }

    /** The window-start marker's key (kept as a log header property) for the recording CPU's flag model. */
    public static final String UNDEFINED_FLAGS = "undefinedFlags";

    private static Snapshot snapshot(CpuState s, PageImage memory) {
        return new Snapshot(s.position(), s.registers(), s.specialRegisters(), s.fpu(), s.msrs(), memory);
    }


    // ---------------------------------------------------------------- moving windows

    /**
     * The window's own files (temporaries left out) and the page-store files its memory maps name that are there, all
     * relative to the directory (see {@code Sampler.windowFiles}); empty if there is no such window.
     */
    List<Path> filesWithPages(String window) throws IOException {
        String id = resolve(window);
        List<Path> own = files(id).stream().filter(p -> !p.getFileName().toString().endsWith(".part")).toList();
        java.util.Set<Path> pages = new java.util.TreeSet<>();
        PageStore store = PageStore.of(dir);
        for (Path f : own) {
            String n = f.getFileName().toString();
            if (!n.endsWith(SnapshotFiles.MEM_INITIAL_SUFFIX) && !n.endsWith(SnapshotFiles.MEM_FINAL_SUFFIX)) continue;
            SnapshotFiles.MemoryFile m;
            try {
                m = SnapshotFiles.readMemory(f, null);
            } catch (SnapshotFormatException | NoSuchFileException e) {
                continue; // damaged or gone: it names no pages one can trust; its own bytes still go
            }
            if (m.minor() < SnapshotFiles.MINOR_PAGE_MAP) continue;
            for (PageStore.Key k : m.refs().values()) {
                if (Files.isRegularFile(store.file(k))) pages.add(Path.of(PageStore.DIR, k.hex() + PageStore.SUFFIX));
            }
        }
        List<Path> out = new ArrayList<>();
        for (Path f : own) out.add(f.getFileName());
        out.addAll(pages);
        return out;
    }

    /** Checks an imported page file before it goes into the store (see {@link PageStore#check}). */
    static void checkImportedPage(String id, Path pageFile, Path file) throws WindowDamagedException {
        PageStore.check(keyOfPageFile(pageFile), file, id);
    }

    private static PageStore.Key keyOfPageFile(Path p) {
        Path parent = p.getParent();
        PageStore.Key k = PageStore.keyOfName(p.getFileName().toString());
        if (parent == null || !parent.toString().equals(PageStore.DIR) || k == null || p.getNameCount() != 2
                || !p.getFileName().toString().endsWith(PageStore.SUFFIX)) {
            throw new IllegalArgumentException("not a page-store file: " + p);
        }
        return k;
    }

    /** Holds window {@code id} and the named page files ({@code pages/<sha256>.page}) for an import (see {@link PageStore#holdImport}). */
    PageStore.Pin holdImport(String id, java.util.Collection<Path> pageFiles) {
        List<PageStore.Key> keys = new ArrayList<>();
        for (Path p : pageFiles) keys.add(keyOfPageFile(p));
        return PageStore.of(dir).holdImport(id, keys);
    }

    // ---------------------------------------------------------------- retention

    /**
     * Deletes snapshot files whose window has no event log anymore (the event log's retention removed it), and
     * snapshot temporaries ({@code .bin.part}) of every window but {@code keep}: the sampler stores one window at
     * a time, so those are a crash's leftovers.
     */
    List<Path> deleteOrphans(String keep) throws IOException {
        // under the page store's lock: an import's hold starts before its first file lands and ends after its log did
        PageStore store = PageStore.of(dir);
        List<Path> deleted = store.locked(() -> deleteOrphanSnapshots(keep, store));
        sweepPages();
        return deleted;
    }

    /**
     * Deletes the pages of the page store that no memory map in the directory names (windows deleted by retention
     * leave theirs behind), except those a window being stored pinned. A map that cannot be read stops the sweep:
     * its pages cannot be told from garbage.
     */
    PageStore.Swept sweepPages() throws IOException {
        PageStore store = PageStore.of(dir);
        if (!Files.isDirectory(store.root())) return new PageStore.Swept(0, 0, 0);
        return store.sweep(() -> {
            PageRefsCache refsCache = PageRefsCache.of(dir);
            java.util.Set<Long> referenced = new java.util.HashSet<>();
            List<Path> maps;
            try (Stream<Path> s = Files.list(dir)) {
                maps = s.filter(p -> {
                    String n = p.getFileName().toString();
                    return n.endsWith(SnapshotFiles.MEM_INITIAL_SUFFIX) || n.endsWith(SnapshotFiles.MEM_FINAL_SUFFIX);
                }).toList();
            }
            for (Path m : maps) {
                try {
                    for (long k : refsCache.refs(m)) referenced.add(k);
                } catch (NoSuchFileException gone) {
                    // deleted meanwhile (retention): its pages are garbage now
                } catch (SnapshotFormatException e) {
                    if (e.problem() != Problem.MISSING) throw e; // damaged: its pages cannot be told from garbage
                }
            }
            refsCache.retain(maps);
            return k -> referenced.contains(k.prefix());
        });
    }

    private List<Path> deleteOrphanSnapshots(String keep, PageStore store) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        Map<String, Boolean> hasLog = new LinkedHashMap<>();
        for (String id : ids()) hasLog.put(id, true);
        List<Path> deleted = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                boolean snapshot = n.endsWith(SnapshotFiles.CPU_SUFFIX) || n.endsWith(SnapshotFiles.MEM_INITIAL_SUFFIX)
                        || n.endsWith(SnapshotFiles.MEM_FINAL_SUFFIX) || n.endsWith(".bin.part") || TraceFiles.isTraceFile(n);
                String id = idOf(n);
                boolean leftover = n.endsWith(".bin.part");
                if (snapshot && id != null && !id.equals(keep) && !store.importing(id) && (leftover || !hasLog.containsKey(id))) {
                    Files.deleteIfExists(p);
                    deleted.add(p);
                }
            }
        }
        return deleted;
    }
}
