package pcm.core.internal.sampling;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;
import pcm.core.api.sampling.SamplingException;
import pcm.core.api.sampling.WindowDamagedException;
import pcm.core.api.sampling.WindowDamagedException.Problem;
import pcm.core.api.sampling.WindowInfo;
import pcm.core.api.sampling.WindowLogs;
import pcm.core.api.verify.Snapshot;
import pcm.core.api.verify.Window;
import pcm.core.internal.log.CorruptRecordException;
import pcm.core.internal.log.LogCheck;
import pcm.core.internal.log.LogException;
import pcm.core.internal.log.LogFormat;
import pcm.core.internal.log.LogJson;
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

    /** The file name prefix of a window that started at {@code start}: {@code <utc-time>_<id>}. */
    static String prefix(Instant start, String id) {
        String n = LogFormat.fileName(start, id);
        return n.substring(0, n.length() - LogFormat.SUFFIX.length());
    }

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

    private Optional<Path> file(String id, String suffix) throws IOException {
        return files(id).stream().filter(p -> p.getFileName().toString().endsWith(suffix)).findFirst();
    }

    /** The window's event log: committed if there is one, else a {@code .part}/{@code .failed} one. */
    Optional<Path> log(String id) throws IOException {
        Optional<Path> committed = file(id, LogFormat.SUFFIX);
        if (committed.isPresent()) return committed;
        return files(id).stream().filter(LogFormat::isWindowFile).findFirst();
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

    /** What the shell shows of a window; {@code recording} is the id being recorded now (or null). */
    WindowInfo info(String id, String recording) throws IOException {
        Optional<Path> log = log(id);
        long size = 0;
        for (Path p : files(id)) size += Files.size(p);
        Map<EventKind, Long> counts = new EnumMap<>(EventKind.class);
        long[] end = {-1};
        LogStatusHolder st = scan(log.orElse(null), id, e -> {
            if (e.kind() == EventKind.END) end[0] = e.position();
        }, counts);
        String state;
        if (id.equals(recording)) state = "RECORDING";
        else if (st.status.equals("VALID")) {
            state = file(id, SnapshotFiles.CPU_SUFFIX).isPresent() && file(id, SnapshotFiles.MEM_FINAL_SUFFIX).isPresent()
                    && file(id, SnapshotFiles.MEM_INITIAL_SUFFIX).isPresent() ? "COMPLETE" : "FAILED";
        } else if (st.status.equals("TORN")) {
            state = log.isPresent() && log.get().getFileName().toString().endsWith(LogFormat.FAILED) ? "FAILED" : "TORN";
        } else {
            state = "FAILED";
        }
        return new WindowInfo(id, state, st.backend == null ? "?" : st.backend, end[0], counts, size, List.of());
    }

    private record LogStatusHolder(String status, String backend, long events, long bytes, String problem, String file) {}

    /** Reads a log (null: none) event by event; never throws for a damaged one. */
    private static LogStatusHolder scan(Path file, String id, Consumer<PcmEvent> visitor, Map<EventKind, Long> counts) {
        if (file == null) return new LogStatusHolder("UNREADABLE", null, 0, 0, "window " + id + " has no event log", null);
        String backend = null;
        long n = 0;
        long bytes = -1;
        try {
            bytes = Files.size(file);
        } catch (IOException ignored) {
            // reported below
        }
        try (LogReader r = LogReader.open(file)) {
            backend = r.header().backend();
            for (PcmEvent e; (e = r.next()) != null; ) {
                n++;
                counts.merge(e.kind(), 1L, Long::sum);
                visitor.accept(e);
            }
            return new LogStatusHolder("VALID", backend, n, bytes, null, file.getFileName().toString());
        } catch (LogException e) {
            String status = switch (e) {
                case TornWindowException t -> "TORN";
                case CorruptRecordException c -> "CORRUPT";
                case UnsupportedLogVersionException u -> "UNSUPPORTED";
            };
            return new LogStatusHolder(status, backend, n, bytes, e.getMessage(), file.getFileName().toString());
        } catch (IOException | RuntimeException e) {
            return new LogStatusHolder("UNREADABLE", backend, n, bytes, String.valueOf(e), file.getFileName().toString());
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
        Map<EventKind, Long> counts = new EnumMap<>(EventKind.class);
        LogStatusHolder h = scan(file, id, visitor, counts);
        return new WindowLogs.LogStatus(id, h.file(), h.status(), h.backend(), h.events(), counts, h.bytes(), h.problem());
    }

    WindowLogs.LogStatus exportJson(String window, Appendable out) throws SamplingException, IOException {
        String id = resolve(window);
        Path file = log(id).orElseThrow(() -> new SamplingException("no window '" + window + "' in " + dir));
        LogCheck.Result r = LogJson.export(file, out);
        return status(id, r);
    }

    static WindowLogs.LogStatus status(String id, LogCheck.Result r) {
        return new WindowLogs.LogStatus(id, r.file().getFileName().toString(), r.status().name(),
                r.header() == null ? null : r.header().backend(), r.events(), r.byKind(), r.bytes(), r.problem());
    }

    // ---------------------------------------------------------------- loading

    /** Loads a complete window; empty if there is none of that id; typed errors for damaged files. */
    Optional<Window> load(String window) throws SamplingException {
        String id = resolve(window);
        try {
            Optional<Path> log = log(id);
            if (log.isEmpty()) return Optional.empty();
            LogReader.LogContents contents;
            try {
                contents = LogReader.readAll(log.get());
            } catch (LogException e) {
                Problem p = switch (e) {
                    case TornWindowException t -> Problem.TRUNCATED;
                    case CorruptRecordException c -> Problem.CORRUPT;
                    case UnsupportedLogVersionException u -> Problem.UNSUPPORTED;
                };
                throw new WindowDamagedException(id, log.get().getFileName().toString(), p, e.getMessage(), e);
            }
            Path cpuFile = required(id, SnapshotFiles.CPU_SUFFIX);
            Path memInitial = required(id, SnapshotFiles.MEM_INITIAL_SUFFIX);
            Path memFinal = required(id, SnapshotFiles.MEM_FINAL_SUFFIX);
            SnapshotFiles.CpuFile cpu = SnapshotFiles.readCpu(cpuFile);
            PageImage initial = SnapshotFiles.readMemory(memInitial, null).image();
            PageImage end = SnapshotFiles.readMemory(memFinal, initial).image();
            List<PcmEvent> events = contents.events().stream()
                    .filter(e -> e.kind() != EventKind.STATE).toList();
            return Optional.of(new StoredWindow(id, contents.header().backend(), snapshot(cpu.initial(), initial), events,
                    snapshot(cpu.end(), end)));
        } catch (SnapshotFormatException e) {
            throw new WindowDamagedException(id, e.file().getFileName().toString(), e.problem(), e.getMessage(), e);
        } catch (IOException e) {
            throw new SamplingException("cannot read window " + id + " in " + dir + ": " + e.getMessage(), e);
        }
    }

    private Path required(String id, String suffix) throws IOException, WindowDamagedException {
        Optional<Path> p = file(id, suffix);
        if (p.isEmpty()) {
            throw new WindowDamagedException(id, "*_" + id + suffix, Problem.MISSING, "the window has no such file");
        }
        return p.get();
    }

    private static Snapshot snapshot(CpuState s, PageImage memory) {
        return new Snapshot(s.position(), s.registers(), s.specialRegisters(), s.fpu(), s.msrs(), memory);
    }

    /** A window loaded from its files. */
    record StoredWindow(String id, String backend, Snapshot initial, List<PcmEvent> events, Snapshot end) implements Window {}

    // ---------------------------------------------------------------- retention

    /** Deletes snapshot files whose window has no event log anymore (the event log's retention removed it). */
    List<Path> deleteOrphans(String keep) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        Map<String, Boolean> hasLog = new LinkedHashMap<>();
        for (String id : ids()) hasLog.put(id, true);
        List<Path> deleted = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) {
                String n = p.getFileName().toString();
                boolean snapshot = n.endsWith(SnapshotFiles.CPU_SUFFIX) || n.endsWith(SnapshotFiles.MEM_INITIAL_SUFFIX)
                        || n.endsWith(SnapshotFiles.MEM_FINAL_SUFFIX) || n.endsWith(".bin.part");
                String id = idOf(n);
                if (snapshot && id != null && !id.equals(keep) && !hasLog.containsKey(id)) {
                    Files.deleteIfExists(p);
                    deleted.add(p);
                }
            }
        }
        return deleted;
    }
}
