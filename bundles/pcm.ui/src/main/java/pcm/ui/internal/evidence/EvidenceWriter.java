package pcm.ui.internal.evidence;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.List;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import pcm.ui.api.evidence.EvidenceException;
import pcm.ui.api.evidence.EvidenceException.Problem;

/**
 * Writes an evidence bundle (zip, DEFLATE, through the JDK's {@code java.util.zip}): {@value EvidenceFormat#EVIDENCE},
 * the window's files under {@value EvidenceFormat#WINDOW_DIR}, then {@value EvidenceFormat#MANIFEST} with the size and
 * SHA-256 of each, hashed while they are written (so the manifest describes exactly the bytes in the archive). The
 * archive is written as {@code <target>.part} and renamed: a file under the target's name is complete.
 */
public final class EvidenceWriter {

    private EvidenceWriter() {}

    /** A bundle without page-store files (a window of snapshot format 1.2 or older). */
    public static void write(Path target, String windowId, Instant created, ObjectNode evidence, List<Path> windowFiles)
            throws EvidenceException {
        write(target, windowId, created, evidence, windowFiles, List.of());
    }

    /**
     * @param evidence    evidence.json's content
     * @param windowFiles the window's files, as stored
     * @param pageFiles   the page-store files its memory maps name ({@code <sha256>.page}), as stored
     */
    public static void write(Path target, String windowId, Instant created, ObjectNode evidence, List<Path> windowFiles,
                             List<Path> pageFiles) throws EvidenceException {
        Path part = target.resolveSibling(target.getFileName() + ".part");
        ObjectNode manifest = EvidenceFormat.JSON.createObjectNode();
        manifest.put("format", EvidenceFormat.FORMAT);
        manifest.put("formatVersion", EvidenceFormat.VERSION);
        manifest.put("windowId", windowId);
        manifest.put("created", created.toString());
        manifest.put("digest", "SHA-256");
        ArrayNode members = manifest.putArray("members");
        try {
            if (target.getParent() != null) Files.createDirectories(target.getParent());
            try (OutputStream file = Files.newOutputStream(part); ZipOutputStream zip = new ZipOutputStream(file)) {
                byte[] json = EvidenceFormat.JSON.writeValueAsBytes(evidence);
                member(zip, EvidenceFormat.EVIDENCE, created, members, out -> out.write(json));
                for (Path f : windowFiles) {
                    member(zip, EvidenceFormat.WINDOW_DIR + f.getFileName(), created, members, out -> {
                        try (InputStream in = Files.newInputStream(f)) {
                            in.transferTo(out);
                        }
                    });
                }
                for (Path f : pageFiles) {
                    member(zip, EvidenceFormat.PAGES_DIR + f.getFileName(), created, members, out -> {
                        try (InputStream in = Files.newInputStream(f)) {
                            in.transferTo(out);
                        }
                    });
                }
                ZipEntry m = entry(EvidenceFormat.MANIFEST, created);
                zip.putNextEntry(m);
                zip.write(EvidenceFormat.JSON.writeValueAsBytes(manifest));
                zip.closeEntry();
            }
            try (var ch = java.nio.channels.FileChannel.open(part, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            try {
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            deleteQuietly(part);
            throw new EvidenceException(Problem.FAILED, null, "cannot write " + target + ": " + e, e);
        }
    }

    @FunctionalInterface
    private interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private static void member(ZipOutputStream zip, String name, Instant created, ArrayNode members, Content content) throws IOException {
        MessageDigest sha = sha256();
        zip.putNextEntry(entry(name, created));
        CountingOutputStream counted = new CountingOutputStream(zip);
        // the entry is closed by closeEntry, not by closing this stream
        DigestOutputStream out = new DigestOutputStream(counted, sha);
        content.writeTo(out);
        out.flush();
        zip.closeEntry();
        ObjectNode m = members.addObject();
        m.put("path", name);
        m.put("bytes", counted.count);
        m.put("sha256", EvidenceFormat.hex(sha.digest()));
    }

    private static ZipEntry entry(String name, Instant created) {
        ZipEntry e = new ZipEntry(name);
        e.setLastModifiedTime(FileTime.from(created));
        return e;
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a leftover .part is never read as a bundle
        }
    }

    /** Counts what passes, without closing what it wraps. */
    private static final class CountingOutputStream extends OutputStream {
        private final OutputStream out;
        long count;

        CountingOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() {
            // the zip entry is closed by its writer
        }
    }
}
