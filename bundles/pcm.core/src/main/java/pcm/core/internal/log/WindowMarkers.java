package pcm.core.internal.log;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;

/**
 * The convention by which the event stream delimits windows (docs/event-log-format.md, "Window
 * markers"). A window starts with a {@link EventKind#STATE} event whose data is the UTF-8 text
 * {@code window-start <id> [key=value ...]} and ends with an {@link EventKind#END} event. A STATE
 * event {@code window-abort <id> [reason ...]} gives the open window up (it is kept as failed, never
 * valid). Keys {@code backend}, {@code cpuVendor} and {@code cpuSignature} (hex with 0x, or decimal)
 * fill the log header; other keys become header properties. Ids, keys and values are tokens without
 * whitespace.
 */
public final class WindowMarkers {

    private WindowMarkers() {}

    public static final String START = "window-start";
    public static final String ABORT = "window-abort";

    /** A parsed window-start marker. */
    public record Start(String windowId, Map<String, String> attributes) {}

    /** The data of a window-start marker. */
    public static byte[] startData(String windowId, Map<String, String> attributes) {
        StringBuilder sb = new StringBuilder(START).append(' ').append(token(windowId));
        if (attributes != null) {
            attributes.forEach((k, v) -> sb.append(' ').append(token(k)).append('=').append(token(v)));
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** A window-start STATE event at position 0. */
    public static PcmEvent startEvent(int vcpu, String windowId, Map<String, String> attributes, long timestampNanos) {
        return new PcmEvent(EventKind.STATE, vcpu, 0, 0, 0, 0, 0, startData(windowId, attributes), timestampNanos);
    }

    /** The data of a window-abort marker. */
    public static byte[] abortData(String windowId, String reason) {
        return (ABORT + ' ' + token(windowId) + (reason == null || reason.isBlank() ? "" : " " + reason))
                .getBytes(StandardCharsets.UTF_8);
    }

    /** The window-start marker in e, or null if e is not one. */
    public static Start parseStart(PcmEvent e) {
        if (e.kind() != EventKind.STATE || !startsWith(e.data(), START)) return null;
        String[] t = new String(e.data(), StandardCharsets.UTF_8).trim().split("\\s+");
        if (!t[0].equals(START) || t.length < 2) return null;
        Map<String, String> attrs = new LinkedHashMap<>();
        for (int i = 2; i < t.length; i++) {
            int eq = t[i].indexOf('=');
            if (eq > 0) attrs.put(t[i].substring(0, eq), t[i].substring(eq + 1));
            else attrs.put(t[i], "");
        }
        return new Start(t[1], attrs);
    }

    /** Whether e is a window-abort marker. */
    public static boolean isAbort(PcmEvent e) {
        if (e.kind() != EventKind.STATE || !startsWith(e.data(), ABORT)) return false;
        return e.data().length == ABORT.length() || e.data()[ABORT.length()] == ' ';
    }

    /** Cheap test usable on the vCPU thread (no decoding). */
    static boolean isStart(PcmEvent e) {
        return e.kind() == EventKind.STATE && startsWith(e.data(), START)
                && e.data().length > START.length() && e.data()[START.length()] == ' ';
    }

    private static boolean startsWith(byte[] data, String prefix) {
        if (data.length < prefix.length()) return false;
        for (int i = 0; i < prefix.length(); i++) if (data[i] != prefix.charAt(i)) return false;
        return true;
    }

    private static String token(String s) {
        if (s == null || s.isEmpty()) return "-";
        return s.replaceAll("\\s", "_");
    }
}
