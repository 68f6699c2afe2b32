package pcm.core.internal.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;

/** Checks window logs (what {@code pcm:log check} prints): reads every record and summarises. */
public final class LogCheck {

    private LogCheck() {}

    public enum Status {
        /** Complete, committed, every check passed: may be replayed. */
        VALID,
        /** Incomplete: no trailer, ends inside a record, or never committed (.part/.failed). */
        TORN,
        /** A check failed. */
        CORRUPT,
        /** A format major version this reader does not know. */
        UNSUPPORTED,
        /** The file could not be read at all (I/O error). */
        UNREADABLE
    }

    /**
     * @param header        null if the header could not be read
     * @param events        intact events read (incl. END for a valid log)
     * @param byKind        intact events by kind
     * @param problem       the first problem (null if VALID)
     * @param problemRecord index of the record the problem is in (-1: header, -2: none/not a record)
     * @param problemOffset file offset of the problem (-1 if none)
     * @param streamCheck   for a VALID log, what its stream check proved: {@link LogReader#CHAIN} or
     *                      {@link LogReader#LENGTHS} (an older log); null otherwise
     */
    public record Result(Path file, Status status, LogHeader header, LogTrailer trailer, long events,
                         Map<EventKind, Long> byKind, long unknownRecords, long bytes, String problem,
                         long problemRecord, long problemOffset, String streamCheck) {

        public boolean valid() { return status == Status.VALID; }

        /**
         * What was checked, for the shell: null unless VALID. A log older than format 1.2 is valid only as far
         * as its weaker stream check goes, and says so.
         */
        public String checked() {
            if (status != Status.VALID) return null;
            return LogReader.CHAIN.equals(streamCheck)
                    ? "every record CRC and the record chain (content and order)"
                    : "every record CRC and the record count; format " + header.version()
                    + ": its stream CRC depends only on record lengths, so reordered or exchanged records of equal"
                    + " length are not detected";
        }

        /** One line for the shell. */
        public String summary() {
            StringBuilder sb = new StringBuilder();
            sb.append(status).append(' ').append(file.getFileName());
            if (header != null) sb.append(" window=").append(header.windowId()).append(" backend=").append(header.backend());
            sb.append(" events=").append(events).append(" bytes=").append(bytes);
            if (problem != null) sb.append(" problem: ").append(problem);
            if (valid() && !LogReader.CHAIN.equals(streamCheck)) sb.append(" checked: ").append(checked());
            return sb.toString();
        }
    }

    /** Checks one file; never throws for format problems. */
    public static Result check(Path file) {
        return scan(file, null);
    }

    /** Checks every window file in dir (complete, .part, .failed), oldest first. */
    public static List<Result> checkDirectory(Path dir) throws IOException {
        List<Result> out = new ArrayList<>();
        for (Path p : windowFiles(dir)) out.add(check(p));
        return out;
    }

    /** Window files in dir sorted by name (= by start time). */
    public static List<Path> windowFiles(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        try (Stream<Path> s = Files.list(dir)) {
            List<Path> l = new ArrayList<>(s.filter(LogFormat::isWindowFile).toList());
            Collections.sort(l, (a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
            return l;
        }
    }

    /** Reads a file record by record, handing each intact event to visitor (if any); never throws for format problems. */
    public static Result scan(Path file, java.util.function.Consumer<PcmEvent> visitor) {
        Map<EventKind, Long> byKind = new EnumMap<>(EventKind.class);
        long events = 0;
        long bytes = -1;
        LogHeader header = null;
        LogReader reader = null;
        try {
            bytes = Files.size(file);
            reader = LogReader.open(file);
            header = reader.header();
            for (PcmEvent e; (e = reader.next()) != null; ) {
                events++;
                byKind.merge(e.kind(), 1L, Long::sum);
                if (visitor != null) visitor.accept(e);
            }
            return new Result(file, Status.VALID, header, reader.trailer(), events, byKind, reader.unknownRecords(),
                    bytes, null, -2, -1, reader.streamCheck());
        } catch (LogException e) {
            Status st = switch (e) {
                case TornWindowException t -> Status.TORN;
                case CorruptRecordException c -> Status.CORRUPT;
                case UnsupportedLogVersionException u -> Status.UNSUPPORTED;
            };
            long rec = e instanceof CorruptRecordException c ? c.recordIndex()
                    : reader == null ? CorruptRecordException.HEADER : reader.recordsRead();
            return new Result(file, st, header, null, events, byKind, reader == null ? 0 : reader.unknownRecords(),
                    bytes, e.getMessage(), rec, e.offset(), null);
        } catch (IOException | RuntimeException e) {
            return new Result(file, Status.UNREADABLE, header, null, events, byKind, 0, bytes, String.valueOf(e), -2, -1, null);
        } finally {
            if (reader != null) {
                try {
                    reader.close();
                } catch (IOException ignored) {
                    // read-only
                }
            }
        }
    }
}
