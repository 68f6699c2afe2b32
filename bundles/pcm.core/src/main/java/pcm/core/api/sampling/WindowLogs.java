package pcm.core.api.sampling;

import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.osgi.annotation.versioning.ProviderType;

import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;

/**
 * The window event logs in the kernel's store, for shells and consoles: check, read, export
 * (docs/event-log-format.md). A window is named by its id or by its log file name.
 *
 * @since 1.1
 */
@ProviderType
public interface WindowLogs {

    /**
     * The result of reading one log.
     *
     * @param status  VALID, TORN, CORRUPT, UNSUPPORTED or UNREADABLE (see the format document)
     * @param problem     the first problem, null if VALID
     * @param streamCheck what the stream check of a VALID log proved: {@value #CHAIN} (format 1.2 on: the
     *                    content and order of every record), {@value #LENGTHS} (an older log: its stream CRC
     *                    depends only on the record lengths, so reordered or exchanged records of equal length
     *                    are not detected); null unless VALID. @since 1.3
     */
    record LogStatus(String windowId, String file, String status, String backend, long events,
                     Map<EventKind, Long> byKind, long bytes, String problem, String streamCheck) {

        public static final String CHAIN = "chain";
        public static final String LENGTHS = "lengths";

        /** A status without a stream check (as before 1.3). */
        public LogStatus(String windowId, String file, String status, String backend, long events,
                         Map<EventKind, Long> byKind, long bytes, String problem) {
            this(windowId, file, status, backend, events, byKind, bytes, problem, null);
        }

        public boolean valid() { return "VALID".equals(status); }
    }

    /** Where windows are stored (the event log's directory), null if the event log is not active. */
    String directory();

    /** Checks every window log in the store, oldest first. */
    List<LogStatus> checkAll() throws SamplingException;

    /** Checks one window's log; never throws for a damaged log (that is the status). */
    LogStatus check(String window) throws SamplingException;

    /** Hands every intact event of the window's log to {@code visitor}, in file order, and checks it. */
    LogStatus read(String window, Consumer<PcmEvent> visitor) throws SamplingException;

    /** Writes the window's log as one JSON object (intact events and the problem of a damaged log). */
    LogStatus exportJson(String window, Appendable out) throws SamplingException, IOException;

    /**
     * The tracers armed for a window (by id or file name) as its CPU file records them; empty for a window without
     * tracers or one not stored yet.
     *
     * @since 1.5
     */
    default java.util.List<WindowInfo.TraceInfo> traces(String window) throws SamplingException {
        return java.util.List.of();
    }
}
