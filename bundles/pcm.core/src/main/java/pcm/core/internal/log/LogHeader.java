package pcm.core.internal.log;

import java.util.Map;
import java.util.Objects;

/**
 * The self-describing header of a window log.
 *
 * @param formatMajor          format major version the file was written with
 * @param formatMinor          format minor version
 * @param windowId             the sampling window's id
 * @param backend              the backend that recorded it ("kvm", "soft", ...)
 * @param cpuVendor            CPUID leaf 0 vendor string of the recording CPU ("" if unknown)
 * @param cpuSignature         CPUID leaf 1 EAX of the recording CPU (family/model/stepping; 0 if unknown)
 * @param startEpochNanos      UTC wall-clock time the window started, nanoseconds since the epoch
 * @param startTimestampNanos  event-clock time the window started (same clock as {@code PcmEvent.timestampNanos})
 * @param properties           further key/value pairs (from the window-start marker)
 */
public record LogHeader(int formatMajor, int formatMinor, String windowId, String backend, String cpuVendor,
                        int cpuSignature, long startEpochNanos, long startTimestampNanos,
                        Map<String, String> properties) {

    public LogHeader {
        Objects.requireNonNull(windowId, "windowId");
        backend = backend == null ? "" : backend;
        cpuVendor = cpuVendor == null ? "" : cpuVendor;
        properties = properties == null ? Map.of() : Map.copyOf(properties);
    }

    /** A header for the current format version. */
    public static LogHeader of(String windowId, String backend, String cpuVendor, int cpuSignature,
                               long startEpochNanos, long startTimestampNanos, Map<String, String> properties) {
        return new LogHeader(LogFormat.MAJOR, LogFormat.MINOR, windowId, backend, cpuVendor, cpuSignature,
                startEpochNanos, startTimestampNanos, properties);
    }

    public String version() { return formatMajor + "." + formatMinor; }
}
