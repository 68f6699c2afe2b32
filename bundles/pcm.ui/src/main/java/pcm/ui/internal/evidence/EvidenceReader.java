package pcm.ui.internal.evidence;

import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import pcm.core.api.verify.Verdict;
import pcm.ui.api.evidence.EvidenceBundle;
import pcm.ui.api.evidence.EvidenceException;
import pcm.ui.api.evidence.EvidenceException.Problem;

/**
 * Reads and checks an evidence bundle: a zip archive (else FOREIGN, or TRUNCATED when its end is missing) with a
 * manifest of this format and major version, every listed member present, no member unlisted, and every member's
 * bytes of the listed size and SHA-256. Every refusal is an {@link EvidenceException} naming the problem and member.
 */
public final class EvidenceReader {

    private static final byte[] LOCAL_HEADER = {'P', 'K', 3, 4};
    private static final byte[] END_HEADER = {'P', 'K', 5, 6};
    /** The zip end record is 22 bytes plus a comment of at most 65,535. */
    private static final int END_SEARCH = 22 + 65_535;

    private EvidenceReader() {}

    /**
     * A checked archive: the bundle, the window files' members by file name, and the page-store files' members
     * by file name ({@code <sha256>.page}; none in a 1.0 bundle).
     */
    public record Checked(EvidenceBundle bundle, Map<String, EvidenceBundle.Member> windowFiles,
                          Map<String, EvidenceBundle.Member> pageFiles) {}

    public static Checked check(Path archive) throws EvidenceException {
        String name = archive.getFileName().toString();
        String id = name.endsWith(EvidenceFormat.SUFFIX) ? name.substring(0, name.length() - EvidenceFormat.SUFFIX.length()) : name;
        try (ZipFile zip = open(archive)) {
            JsonNode manifest = json(zip, EvidenceFormat.MANIFEST, Problem.FOREIGN, EvidenceFormat.MAX_MANIFEST_BYTES);
            if (!EvidenceFormat.FORMAT.equals(manifest.path("format").asText()))
                throw new EvidenceException(Problem.FOREIGN, EvidenceFormat.MANIFEST, archive + " is not an evidence bundle: its manifest's format is '"
                        + manifest.path("format").asText() + "', not '" + EvidenceFormat.FORMAT + "'", null);
            String version = manifest.path("formatVersion").asText();
            if (major(version) != EvidenceFormat.MAJOR)
                throw new EvidenceException(Problem.UNSUPPORTED_VERSION, EvidenceFormat.MANIFEST, archive + " is an evidence bundle of version '"
                        + version + "'; this PCM reads version " + EvidenceFormat.MAJOR + ".x", null);
            String windowId = manifest.path("windowId").asText();
            if (!EvidenceFormat.WINDOW_ID.matcher(windowId).matches())
                throw new EvidenceException(Problem.FOREIGN, EvidenceFormat.MANIFEST, archive + ": the manifest's window id '" + windowId
                        + "' is not one PCM makes", null);
            Map<String, EvidenceBundle.Member> listed = members(archive, manifest);
            java.util.Set<String> present = new java.util.HashSet<>();
            for (ZipEntry e : Collections.list(zip.entries())) {
                present.add(e.getName());
                if (present.size() > EvidenceFormat.MAX_MEMBERS)
                    throw new EvidenceException(Problem.FOREIGN, null, archive + " has more than " + EvidenceFormat.MAX_MEMBERS + " members", null);
                if (!e.getName().equals(EvidenceFormat.MANIFEST) && !listed.containsKey(e.getName()))
                    throw new EvidenceException(Problem.UNLISTED_MEMBER, e.getName(), archive + ": member " + e.getName()
                            + " is not in the manifest", null);
            }
            Map<String, EvidenceBundle.Member> windowFiles = new TreeMap<>();
            Map<String, EvidenceBundle.Member> pageFiles = new TreeMap<>();
            for (EvidenceBundle.Member m : listed.values()) {
                if (!present.contains(m.path()))
                    throw new EvidenceException(Problem.MISSING_MEMBER, m.path(), archive + ": member " + m.path()
                            + " of the manifest is not in the archive", null);
                verify(zip, m, null);
                if (m.path().startsWith(EvidenceFormat.WINDOW_DIR)) {
                    String file = m.path().substring(EvidenceFormat.WINDOW_DIR.length());
                    if (!windowId.equals(EvidenceFormat.idOf(file)))
                        throw new EvidenceException(Problem.FOREIGN, m.path(), archive + ": member " + m.path()
                                + " is not a file of window " + windowId, null);
                    windowFiles.put(file, m);
                } else if (m.path().startsWith(EvidenceFormat.PAGES_DIR)) {
                    pageFiles.put(m.path().substring(EvidenceFormat.PAGES_DIR.length()), m);
                }
            }
            if (!listed.containsKey(EvidenceFormat.EVIDENCE))
                throw new EvidenceException(Problem.MISSING_MEMBER, EvidenceFormat.EVIDENCE, archive + ": the manifest lists no "
                        + EvidenceFormat.EVIDENCE, null);
            if (windowFiles.isEmpty())
                throw new EvidenceException(Problem.MISSING_MEMBER, EvidenceFormat.WINDOW_DIR, archive + " holds no window files", null);
            JsonNode evidence = json(zip, EvidenceFormat.EVIDENCE, Problem.DAMAGED_MEMBER, EvidenceFormat.MAX_JSON_BYTES);
            List<Verdict> verdicts = new ArrayList<>();
            for (JsonNode v : evidence.path("verdicts")) {
                try {
                    verdicts.add(EvidenceFormat.verdict(v));
                } catch (IllegalArgumentException | IndexOutOfBoundsException e) {
                    throw new EvidenceException(Problem.DAMAGED_MEMBER, EvidenceFormat.EVIDENCE, archive + ": a verdict of "
                            + EvidenceFormat.EVIDENCE + " is malformed: " + v, e);
                }
            }
            Map<String, String> host = new LinkedHashMap<>();
            evidence.path("host").fields().forEachRemaining(e -> host.put(e.getKey(), e.getValue().asText()));
            Instant created;
            try {
                created = Instant.parse(manifest.path("created").asText());
            } catch (DateTimeParseException e) {
                throw new EvidenceException(Problem.FOREIGN, EvidenceFormat.MANIFEST, archive + ": the manifest's created time '"
                        + manifest.path("created").asText() + "' is not an ISO-8601 instant", e);
            }
            EvidenceBundle bundle = new EvidenceBundle(id, archive, version, windowId, created, sha256(archive), Files.size(archive),
                    new ArrayList<>(listed.values()), verdicts, host);
            return new Checked(bundle, windowFiles, pageFiles);
        } catch (IOException e) {
            throw new EvidenceException(Problem.FAILED, null, "cannot read " + archive + ": " + e, e);
        }
    }

    /**
     * Copies one window file out of a checked archive to {@code target}, checking it again on the way (the archive
     * may have changed since it was checked).
     */
    public static void extract(Path archive, EvidenceBundle.Member member, Path target) throws EvidenceException {
        try (ZipFile zip = open(archive); OutputStream out = Files.newOutputStream(target)) {
            verify(zip, member, out);
        } catch (IOException e) {
            throw new EvidenceException(Problem.FAILED, member.path(), "cannot extract " + member.path() + " of " + archive + " to "
                    + target + ": " + e, e);
        }
    }

    /**
     * Copies several members out of a checked archive, each to its target, checking each again on the way; one
     * opening of the archive for all (a window's pages are thousands of members).
     */
    public static void extractAll(Path archive, Map<EvidenceBundle.Member, Path> targets) throws EvidenceException {
        try (ZipFile zip = open(archive)) {
            for (var e : targets.entrySet()) {
                try (OutputStream out = Files.newOutputStream(e.getValue())) {
                    verify(zip, e.getKey(), out);
                } catch (IOException x) {
                    throw new EvidenceException(Problem.FAILED, e.getKey().path(), "cannot extract " + e.getKey().path() + " of "
                            + archive + " to " + e.getValue() + ": " + x, x);
                }
            }
        } catch (IOException e) {
            throw new EvidenceException(Problem.FAILED, null, "cannot read " + archive + ": " + e, e);
        }
    }

    static int major(String version) {
        int dot = version.indexOf('.');
        try {
            return Integer.parseInt(dot < 0 ? version : version.substring(0, dot));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static ZipFile open(Path archive) throws EvidenceException, IOException {
        try {
            return new ZipFile(archive.toFile());
        } catch (NoSuchFileException | java.io.FileNotFoundException e) {
            throw new EvidenceException(Problem.FAILED, null, "cannot open " + archive + ": " + e.getMessage(), e);
        } catch (ZipException e) {
            byte[] head = new byte[4];
            try (InputStream in = Files.newInputStream(archive)) {
                int n = in.readNBytes(head, 0, 4);
                if (n < 4 || !java.util.Arrays.equals(head, LOCAL_HEADER))
                    throw new EvidenceException(Problem.FOREIGN, null, archive + " is not an evidence bundle (not a zip archive)", e);
            }
            if (!hasEndRecord(archive))
                throw new EvidenceException(Problem.TRUNCATED, null, archive + " is cut short: a zip archive without its end "
                        + "(copied or downloaded only in part?)", e);
            throw new EvidenceException(Problem.DAMAGED_MEMBER, "(zip directory)", archive + ": the archive's directory is damaged: "
                    + e.getMessage(), e);
        }
    }

    private static boolean hasEndRecord(Path archive) throws IOException {
        try (FileChannel ch = FileChannel.open(archive)) {
            long size = ch.size();
            int n = (int) Math.min(size, END_SEARCH);
            ByteBuffer b = ByteBuffer.allocate(n);
            ch.read(b, size - n);
            byte[] tail = b.array();
            for (int i = n - 22; i >= 0; i--) {
                if (tail[i] == END_HEADER[0] && tail[i + 1] == END_HEADER[1] && tail[i + 2] == END_HEADER[2] && tail[i + 3] == END_HEADER[3])
                    return true;
            }
            return false;
        }
    }

    private static Map<String, EvidenceBundle.Member> members(Path archive, JsonNode manifest) throws EvidenceException {
        Map<String, EvidenceBundle.Member> out = new LinkedHashMap<>();
        long total = 0;
        JsonNode list = manifest.path("members");
        if (!list.isArray() || list.size() > EvidenceFormat.MAX_MEMBERS)
            throw new EvidenceException(Problem.FOREIGN, EvidenceFormat.MANIFEST, archive + ": the manifest has no list of members", null);
        for (JsonNode m : list) {
            String path = m.path("path").asText();
            boolean safe = path.equals(EvidenceFormat.EVIDENCE) || (path.startsWith(EvidenceFormat.WINDOW_DIR)
                    && EvidenceFormat.FILE_NAME.matcher(path.substring(EvidenceFormat.WINDOW_DIR.length())).matches())
                    || (path.startsWith(EvidenceFormat.PAGES_DIR)
                    && EvidenceFormat.PAGE_NAME.matcher(path.substring(EvidenceFormat.PAGES_DIR.length())).matches());
            if (!safe)
                throw new EvidenceException(Problem.FOREIGN, path, archive + ": the manifest lists a member '" + path
                        + "' that is neither " + EvidenceFormat.EVIDENCE + ", a window file nor a page file", null);
            String sha = m.path("sha256").asText();
            long bytes = m.path("bytes").asLong(-1);
            if (!sha.matches("[0-9a-f]{64}") || bytes < 0)
                throw new EvidenceException(Problem.FOREIGN, path, archive + ": the manifest's entry for " + path
                        + " has no SHA-256 or size", null);
            total += bytes;
            if (total > EvidenceFormat.MAX_TOTAL_BYTES)
                throw new EvidenceException(Problem.FOREIGN, path, archive + ": the manifest's members add up to more than "
                        + EvidenceFormat.MAX_TOTAL_BYTES + " bytes; no window is that large", null);
            if (out.put(path, new EvidenceBundle.Member(path, bytes, sha)) != null)
                throw new EvidenceException(Problem.FOREIGN, path, archive + ": the manifest lists " + path + " twice", null);
        }
        return out;
    }

    private static JsonNode json(ZipFile zip, String name, Problem missing, long maxBytes) throws EvidenceException, IOException {
        ZipEntry e = zip.getEntry(name);
        if (e == null)
            throw new EvidenceException(missing == Problem.FOREIGN ? Problem.FOREIGN : Problem.MISSING_MEMBER, name,
                    Path.of(zip.getName()) + (missing == Problem.FOREIGN ? " is not an evidence bundle: no " : ": no ") + name, null);
        byte[] bytes;
        try (InputStream in = zip.getInputStream(e)) {
            bytes = in.readNBytes((int) maxBytes + 1);
        } catch (ZipException | EOFException x) {
            throw new EvidenceException(Problem.DAMAGED_MEMBER, name, Path.of(zip.getName()) + ": member " + name + " is unreadable: " + x.getMessage(), x);
        }
        if (bytes.length > maxBytes)
            throw new EvidenceException(missing, name, Path.of(zip.getName()) + ": member " + name + " is larger than "
                    + maxBytes + " bytes", null);
        try {
            JsonNode n = EvidenceFormat.JSON.readTree(bytes);
            if (n == null || !n.isObject()) throw new EvidenceException(missing, name, Path.of(zip.getName()) + ": member " + name
                    + " is not a JSON object", null);
            return n;
        } catch (JsonProcessingException x) {
            throw new EvidenceException(missing, name, Path.of(zip.getName()) + ": member " + name + " is not JSON: "
                    + x.getOriginalMessage(), x);
        }
    }

    /** Streams a member through SHA-256 (and to {@code copy} if given); its size and digest must be the manifest's. */
    private static void verify(ZipFile zip, EvidenceBundle.Member m, OutputStream copy) throws EvidenceException, IOException {
        ZipEntry e = zip.getEntry(m.path());
        if (e == null)
            throw new EvidenceException(Problem.MISSING_MEMBER, m.path(), zip.getName() + ": member " + m.path() + " is not in the archive", null);
        MessageDigest sha = EvidenceWriter.sha256();
        long total = 0;
        byte[] buf = new byte[1 << 16];
        try (InputStream in = zip.getInputStream(e)) {
            for (int n; (n = in.read(buf)) > 0; ) {
                total += n;
                if (total > m.bytes())
                    throw new EvidenceException(Problem.DAMAGED_MEMBER, m.path(), zip.getName() + ": member " + m.path()
                            + " is longer than the " + m.bytes() + " bytes of the manifest", null);
                sha.update(buf, 0, n);
                if (copy != null) copy.write(buf, 0, n);
            }
        } catch (ZipException | EOFException x) {
            throw new EvidenceException(Problem.DAMAGED_MEMBER, m.path(), zip.getName() + ": member " + m.path()
                    + " is damaged: " + x.getMessage(), x);
        }
        if (total != m.bytes())
            throw new EvidenceException(Problem.DAMAGED_MEMBER, m.path(), zip.getName() + ": member " + m.path() + " has "
                    + total + " bytes, the manifest says " + m.bytes(), null);
        String got = EvidenceFormat.hex(sha.digest());
        if (!got.equals(m.sha256()))
            throw new EvidenceException(Problem.DAMAGED_MEMBER, m.path(), zip.getName() + ": member " + m.path()
                    + " does not match the manifest: SHA-256 " + got + ", the manifest says " + m.sha256(), null);
    }

    static String sha256(Path file) throws IOException {
        MessageDigest sha = EvidenceWriter.sha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) sha.update(buf, 0, n);
        }
        return EvidenceFormat.hex(sha.digest());
    }
}
