package pcm.core.internal.log;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Map;

import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;

/**
 * Exports a window log as JSON (streamed; no dependency). 64-bit register-like values (rip, rcx,
 * address, value) are hex strings so that JavaScript readers do not lose bits; data is hex.
 * The export of a torn or corrupt log holds the intact events and the problem.
 *
 * <pre>{"file":..,"header":{..},"events":[{..},..],"trailer":{..}|null,"status":"VALID","problem":null,..}</pre>
 */
public final class LogJson {

    private LogJson() {}

    /** Writes file as JSON to out and returns its check result. */
    public static LogCheck.Result export(Path file, Appendable out) throws IOException {
        LogCheck.Result[] result = new LogCheck.Result[1];
        boolean[] first = {true};
        out.append("{\"file\":").append(str(file.getFileName().toString())).append(",\"events\":[");
        try {
            result[0] = LogCheck.scan(file, e -> {
                try {
                    out.append(first[0] ? "\n" : ",\n");
                    first[0] = false;
                    event(e, out);
                } catch (IOException x) {
                    throw new UncheckedIOException(x);
                }
            });
        } catch (UncheckedIOException x) {
            throw x.getCause();
        }
        LogCheck.Result r = result[0];
        out.append("\n],\"header\":");
        LogHeader h = r.header();
        if (h == null) {
            out.append("null");
        } else {
            out.append("{\"format\":").append(str(h.version()))
                    .append(",\"windowId\":").append(str(h.windowId()))
                    .append(",\"backend\":").append(str(h.backend()))
                    .append(",\"cpuVendor\":").append(str(h.cpuVendor()))
                    .append(",\"cpuSignature\":").append(str(String.format("0x%08x", h.cpuSignature())))
                    .append(",\"startEpochNanos\":").append(Long.toString(h.startEpochNanos()))
                    .append(",\"startTimestampNanos\":").append(Long.toString(h.startTimestampNanos()))
                    .append(",\"properties\":{");
            boolean f = true;
            for (Map.Entry<String, String> p : h.properties().entrySet()) {
                if (!f) out.append(',');
                f = false;
                out.append(str(p.getKey())).append(':').append(str(p.getValue()));
            }
            out.append("}}");
        }
        out.append(",\"trailer\":");
        LogTrailer t = r.trailer();
        if (t == null) {
            out.append("null");
        } else {
            out.append("{\"recordCount\":").append(Long.toString(t.recordCount()))
                    .append(",\"streamCrc\":").append(str(String.format("0x%08x", t.streamCrc())))
                    .append(",\"closeEpochNanos\":").append(Long.toString(t.closeEpochNanos()))
                    .append(",\"streamDigest\":").append(t.streamDigest() == null ? "null"
                            : str(java.util.HexFormat.of().formatHex(t.streamDigest()))).append('}');
        }
        out.append(",\"status\":").append(str(r.status().name()))
                .append(",\"streamCheck\":").append(r.streamCheck() == null ? "null" : str(r.streamCheck()))
                .append(",\"eventCount\":").append(Long.toString(r.events()))
                .append(",\"byKind\":{");
        boolean f = true;
        for (Map.Entry<EventKind, Long> k : r.byKind().entrySet()) {
            if (!f) out.append(',');
            f = false;
            out.append(str(k.getKey().name())).append(':').append(Long.toString(k.getValue()));
        }
        out.append("},\"unknownRecords\":").append(Long.toString(r.unknownRecords()))
                .append(",\"problem\":").append(r.problem() == null ? "null" : str(r.problem()))
                .append(",\"problemRecord\":").append(Long.toString(r.problemRecord()))
                .append(",\"problemOffset\":").append(Long.toString(r.problemOffset()))
                .append("}\n");
        return r;
    }

    static void event(PcmEvent e, Appendable out) throws IOException {
        out.append("{\"kind\":").append(str(e.kind().name()))
                .append(",\"vcpu\":").append(Integer.toString(e.vcpu()))
                .append(",\"position\":").append(Long.toString(e.position()))
                .append(",\"rip\":").append(hex(e.rip()))
                .append(",\"rcx\":").append(hex(e.rcx()))
                .append(",\"address\":").append(hex(e.address()))
                .append(",\"value\":").append(hex(e.value()))
                .append(",\"timestampNanos\":").append(Long.toString(e.timestampNanos()));
        if (e.data().length > 0) {
            out.append(",\"data\":\"");
            for (byte b : e.data()) out.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
            out.append('"');
            if (e.kind() == EventKind.STATE) {
                out.append(",\"text\":").append(str(new String(e.data(), java.nio.charset.StandardCharsets.UTF_8)));
            }
        }
        out.append('}');
    }

    private static String hex(long v) {
        return "\"0x" + Long.toHexString(v) + "\"";
    }

    /** A JSON string literal. */
    static String str(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x2028 || c == 0x2029) sb.append(String.format("\\u%04x", (int) c));
                    else sb.append(c);
                }
            }
        }
        return sb.append('"').toString();
    }
}
