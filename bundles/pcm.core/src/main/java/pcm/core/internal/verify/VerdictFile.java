package pcm.core.internal.verify;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import pcm.core.api.verify.Divergence;
import pcm.core.api.verify.Outcome;
import pcm.core.api.verify.Verdict;

/**
 * Verdicts kept beside the windows, one tab-separated line each:
 * {@code outcome rcp window insns position rip differences detail finality} ("-" for absent fields,
 * differences joined by " | ", finality {@code final} or {@code retry}). Text, so an operator can read it
 * without PCM. A {@code retry} verdict (the verifier was not installed, the window could not be read) does not
 * count: the window is verified again when it can be. Lines of the first format (8 fields) are final, except
 * "verifier 'x' is not installed", which that version wrote when it picked a window up before its verifier.
 */
final class VerdictFile {

    static final String FINAL = "final";
    static final String RETRY = "retry";

    /** A stored verdict and whether it stands. */
    record Entry(Verdict verdict, boolean isFinal) {}

    private VerdictFile() {}

    static Path of(Path dir, String windowId) {
        return dir.resolve(windowId + ".verdicts");
    }

    static synchronized void append(Path dir, Verdict v, boolean isFinal) throws IOException {
        Files.createDirectories(dir);
        String line = String.join("\t", v.outcome().name(), v.rcp(), v.windowId(), Long.toString(v.instructions()),
                v.divergence().map(d -> Long.toString(d.position())).orElse("-"),
                v.divergence().map(d -> "0x" + Long.toHexString(d.rip())).orElse("-"),
                v.divergence().map(d -> String.join(" | ", d.differences())).orElse("-"),
                clean(v.detail()), isFinal ? FINAL : RETRY) + "\n";
        Path f = of(dir, v.windowId());
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            long size = ch.size();
            // a line cut short by a crash must not swallow this one
            if (size > 0 && !endsWithNewline(ch, size)) line = "\n" + line;
            ByteBuffer b = ByteBuffer.wrap(line.getBytes(StandardCharsets.UTF_8));
            long at = size;
            while (b.hasRemaining()) at += ch.write(b, at);
        }
    }

    private static boolean endsWithNewline(FileChannel ch, long size) throws IOException {
        ByteBuffer last = ByteBuffer.allocate(1);
        return ch.read(last, size - 1) == 1 && last.get(0) == '\n';
    }

    static List<Verdict> read(Path dir, String windowId) throws IOException {
        return entries(dir, windowId).stream().map(Entry::verdict).toList();
    }

    /** The complete lines of the file (a line without its newline was cut by a crash: it is recomputed). */
    static List<Entry> entries(Path dir, String windowId) throws IOException {
        List<Entry> out = new ArrayList<>();
        String text;
        try {
            text = Files.readString(of(dir, windowId), StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return out;
        }
        int start = 0;
        for (int nl; (nl = text.indexOf('\n', start)) >= 0; start = nl + 1) {
            Entry e = parse(text.substring(start, nl));
            if (e != null) out.add(e);
        }
        return out;
    }

    /** One line, or null if it is not a verdict line (torn, or damaged by hand). */
    private static Entry parse(String line) {
        String[] p = line.split("\t", -1);
        if (p.length < 8) return null;
        try {
            Optional<Divergence> d = p[4].equals("-") ? Optional.empty()
                    : Optional.of(new Divergence(Long.parseLong(p[4]), Long.parseUnsignedLong(p[5].substring(2), 16),
                            p[6].equals("-") ? List.of() : List.of(p[6].split(" \\| "))));
            Verdict v = new Verdict(Outcome.valueOf(p[0]), p[1], p[2], Long.parseLong(p[3]), d, p[7]);
            boolean isFinal;
            if (p.length == 8) {
                isFinal = !(v.outcome() == Outcome.INCONCLUSIVE && v.detail().startsWith("verifier '")
                        && v.detail().endsWith("' is not installed"));
            } else if (p[8].equals(FINAL) || p[8].equals(RETRY)) {
                isFinal = p[8].equals(FINAL);
            } else {
                return null;
            }
            return new Entry(v, isFinal);
        } catch (RuntimeException e) {
            return null;
        }
    }

    private static String clean(String s) {
        return s == null || s.isEmpty() ? "" : s.replace('\t', ' ').replace('\n', ' ');
    }
}
