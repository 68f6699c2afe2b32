package pcm.ui.internal.evidence;

import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import pcm.core.api.verify.Divergence;
import pcm.core.api.verify.Outcome;
import pcm.core.api.verify.Verdict;

/**
 * The evidence bundle format, version {@value #VERSION} (docs/evidence-format.md): a zip archive with
 * {@value #EVIDENCE} (verdicts, divergence, window and host facts), the window's files under {@value #WINDOW_DIR}
 * as they are stored, the page-store files its memory maps name under {@value #PAGES_DIR} (1.1 on; a window of snapshot
 * format 1.3 loads only with them), and {@value #MANIFEST} (format, version, window id, and size and SHA-256 of every
 * other member).
 */
public final class EvidenceFormat {

    public static final String FORMAT = "pcm-evidence";
    public static final String VERSION = "1.1";
    public static final int MAJOR = 1;
    public static final String MANIFEST = "manifest.json";
    public static final String EVIDENCE = "evidence.json";
    public static final String WINDOW_DIR = "window/";
    /** Page-store files ({@code pages/<sha256>.page}), as the store keeps them. @since format 1.1 */
    public static final String PAGES_DIR = "pages/";
    public static final String SUFFIX = ".zip";

    /** evidence.json is small; anything larger is not one of ours. */
    static final long MAX_JSON_BYTES = 4L << 20;
    /** The manifest lists every page (about 200 bytes each): room for {@link #MAX_MEMBERS}. */
    static final long MAX_MANIFEST_BYTES = 256L << 20;
    /** A window has four files (and perhaps a failed log) and its distinct pages: up to 4 GiB of them. */
    static final int MAX_MEMBERS = (1 << 20) + 64;
    /** What an import may write at most (a hostile manifest could claim anything): far above a window of a large guest. */
    static final long MAX_TOTAL_BYTES = 16L << 30;

    /** Window ids as the store makes them ({@code [A-Za-z0-9.-]}). */
    static final Pattern WINDOW_ID = Pattern.compile("[A-Za-z0-9.-]{1,100}");
    /** A stored window file: {@code <utc-time>_<window-id>_<kind>}, nothing that could leave the directory. */
    static final Pattern FILE_NAME = Pattern.compile("[A-Za-z0-9.-]{1,64}_[A-Za-z0-9.-]{1,100}_[A-Za-z0-9.-]{1,64}");

    /** A page-store file: its page's SHA-256, lower-case hex (what the store names it). */
    static final Pattern PAGE_NAME = Pattern.compile("[0-9a-f]{64}\\.page");

    static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private EvidenceFormat() {}

    /** The window id in a stored file name (the store's rule: between the first two underscores), or null. */
    public static String idOf(String fileName) {
        int a = fileName.indexOf('_');
        int b = a < 0 ? -1 : fileName.indexOf('_', a + 1);
        return b < 0 ? null : fileName.substring(a + 1, b);
    }

    static String hex(byte[] digest) {
        return HexFormat.of().formatHex(digest);
    }

    static ObjectNode verdict(Verdict v) {
        ObjectNode n = JSON.createObjectNode();
        n.put("outcome", v.outcome().name());
        n.put("verifier", v.rcp());
        n.put("windowId", v.windowId());
        n.put("instructions", v.instructions());
        v.divergence().ifPresent(d -> {
            ObjectNode dn = n.putObject("divergence");
            dn.put("position", d.position());
            dn.put("rip", "0x" + Long.toHexString(d.rip()));
            ArrayNode diffs = dn.putArray("differences");
            d.differences().forEach(diffs::add);
        });
        n.put("detail", v.detail());
        return n;
    }

    /** A verdict of evidence.json; a malformed one is {@link IllegalArgumentException}. */
    static Verdict verdict(JsonNode n) {
        Optional<Divergence> d = Optional.empty();
        JsonNode dn = n.get("divergence");
        if (dn != null && !dn.isNull()) {
            List<String> diffs = new ArrayList<>();
            dn.path("differences").forEach(x -> diffs.add(x.asText()));
            String rip = dn.path("rip").asText("0x0");
            d = Optional.of(new Divergence(dn.path("position").asLong(),
                    Long.parseUnsignedLong(rip.startsWith("0x") ? rip.substring(2) : rip, 16), diffs));
        }
        return new Verdict(Outcome.valueOf(n.path("outcome").asText()), n.path("verifier").asText(), n.path("windowId").asText(),
                n.path("instructions").asLong(), d, n.path("detail").asText(""));
    }

    /** One line of a verdict, as pcm:verify prints its first line, with the divergence's position and RIP. */
    public static String describe(Verdict v) {
        StringBuilder s = new StringBuilder(v.rcp()).append(' ').append(v.outcome());
        v.divergence().ifPresent(d -> s.append(" at instruction ").append(d.position()).append(", rip=0x").append(Long.toHexString(d.rip())));
        if (!v.detail().isEmpty()) s.append(" (").append(v.detail()).append(')');
        return s.toString();
    }
}
