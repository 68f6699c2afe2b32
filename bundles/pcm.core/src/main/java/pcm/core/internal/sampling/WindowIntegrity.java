package pcm.core.internal.sampling;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;

import pcm.core.api.event.PcmEvent;
import pcm.core.api.sampling.WindowDamagedException;
import pcm.core.api.sampling.WindowDamagedException.Problem;
import pcm.core.internal.log.LogFormat;
import pcm.core.internal.log.LogHeader;

/**
 * Whether the files loaded for a window belong together and each has the role it is loaded for
 * (issue 11 item 5). Every file names its window: the event log in its header, the snapshot files in
 * their bodies (and memory files their role, initial or final); file names are only where the loader
 * looks. A snapshot written by format 1.1 also binds the window's files to each other (the CPU file holds
 * the log's start time and the body CRCs of both memory files); a 1.0 CPU file proves only the window id
 * and roles, not that its files come from the same recording of that id (a second data directory may
 * have used the same id).
 */
final class WindowIntegrity {

    private WindowIntegrity() {}

    /** The one file of {@code suffix} beside {@code log}: missing, ambiguous or named for another start is damage. */
    static Path file(String id, Path log, List<Path> files, String suffix) throws WindowDamagedException {
        List<Path> all = files.stream().filter(p -> p.getFileName().toString().endsWith(suffix)).toList();
        String logName = log.getFileName().toString();
        String expected = logName.substring(0, logName.length() - LogFormat.SUFFIX.length()) + suffix;
        if (all.isEmpty()) {
            throw new WindowDamagedException(id, expected, Problem.MISSING, "the window has no such file");
        }
        if (all.size() > 1) {
            throw new WindowDamagedException(id, expected, Problem.MISMATCHED, "window " + id + " has " + all.size()
                    + " files of that role: " + all.stream().map(p -> p.getFileName().toString()).toList());
        }
        Path p = all.getFirst();
        if (!p.getFileName().toString().equals(expected)) {
            throw new WindowDamagedException(id, p.getFileName().toString(), Problem.MISMATCHED,
                    "named for another window start than its event log " + logName);
        }
        return p;
    }

    /** The event log names the window its file name says, and started when its file name says. */
    static void log(String id, Path log, List<Path> files, LogHeader h) throws WindowDamagedException {
        String name = log.getFileName().toString();
        long committed = files.stream().filter(LogFormat::isCommitted).count();
        if (committed > 1) {
            throw new WindowDamagedException(id, name, Problem.MISMATCHED, "window " + id + " has " + committed + " event logs");
        }
        if (!h.windowId().equals(id)) {
            throw new WindowDamagedException(id, name, Problem.MISMATCHED, "the log's header names window " + h.windowId());
        }
        if (LogFormat.isCommitted(log) && !LogFormat.fileName(Instant.ofEpochSecond(0, h.startEpochNanos()), id).equals(name)) {
            throw new WindowDamagedException(id, name, Problem.MISMATCHED, "the log's header says the window started at "
                    + Instant.ofEpochSecond(0, h.startEpochNanos()) + ", its file name says otherwise");
        }
    }

    /** The CPU file is this window's (id, backend, positions, and from 1.1 on its binding to the log). */
    static void cpu(String id, Path file, SnapshotFiles.CpuFile cpu, LogHeader h, PcmEvent end) throws WindowDamagedException {
        String name = file.getFileName().toString();
        if (!cpu.windowId().equals(h.windowId())) {
            throw new WindowDamagedException(id, name, Problem.MISMATCHED, "it is the CPU state of window " + cpu.windowId());
        }
        if (!cpu.backend().equals(h.backend())) {
            throw new WindowDamagedException(id, name, Problem.MISMATCHED, "recorded by backend '" + cpu.backend()
                    + "', the event log by '" + h.backend() + "'");
        }
        if (cpu.binding() != null && cpu.binding().logStartEpochNanos() != h.startEpochNanos()) {
            throw new WindowDamagedException(id, name, Problem.MISMATCHED, "it belongs to a recording of window " + id
                    + " started at " + Instant.ofEpochSecond(0, cpu.binding().logStartEpochNanos()) + ", the event log to one started at "
                    + Instant.ofEpochSecond(0, h.startEpochNanos()));
        }
        if (cpu.initial().position() != 0 || cpu.end().position() != end.position()) {
            throw new WindowDamagedException(id, name, Problem.MISMATCHED, "its states are at positions "
                    + cpu.initial().position() + " and " + cpu.end().position() + ", the window runs from 0 to END at "
                    + end.position());
        }
    }

    /** A memory file is this window's and has {@code role}; with a 1.1 CPU file, it is the very file that was written with it. */
    static void memory(String id, Path file, SnapshotFiles.MemoryFile m, int role, LogHeader h, SnapshotFiles.CpuFile cpu)
            throws WindowDamagedException {
        String name = file.getFileName().toString();
        String want = role == SnapshotFiles.INITIAL ? "initial" : "final";
        if (!m.windowId().equals(h.windowId())) {
            throw new WindowDamagedException(id, name, Problem.MISMATCHED, "it is the memory of window " + m.windowId());
        }
        if (m.which() != role) {
            throw new WindowDamagedException(id, name, Problem.MISMATCHED, "it holds the "
                    + (m.which() == SnapshotFiles.INITIAL ? "initial" : "final") + " memory, loaded as the " + want);
        }
        if (cpu.binding() != null) {
            int bound = role == SnapshotFiles.INITIAL ? cpu.binding().memInitialCrc() : cpu.binding().memFinalCrc();
            if (bound != m.bodyCrc()) {
                throw new WindowDamagedException(id, name, Problem.MISMATCHED, "it is not the " + want
                        + " memory recorded with this window's CPU file (body CRC 0x" + Integer.toHexString(m.bodyCrc())
                        + ", the CPU file names 0x" + Integer.toHexString(bound) + ")");
            }
        }
    }
}
