package pcm.core.internal.verify;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
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
 * {@code outcome rcp window insns position rip differences detail} ("-" for absent fields,
 * differences joined by " | "). Text, so an operator can read it without PCM.
 */
final class VerdictFile {

    private VerdictFile() {}

    static Path of(Path dir, String windowId) {
        return dir.resolve(windowId + ".verdicts");
    }

    static synchronized void append(Path dir, Verdict v) throws IOException {
        Files.createDirectories(dir);
        String line = String.join("\t", v.outcome().name(), v.rcp(), v.windowId(), Long.toString(v.instructions()),
                v.divergence().map(d -> Long.toString(d.position())).orElse("-"),
                v.divergence().map(d -> "0x" + Long.toHexString(d.rip())).orElse("-"),
                v.divergence().map(d -> String.join(" | ", d.differences())).orElse("-"),
                clean(v.detail())) + "\n";
        Files.writeString(of(dir, v.windowId()), line, StandardCharsets.UTF_8,
                StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    static List<Verdict> read(Path dir, String windowId) throws IOException {
        Path f = of(dir, windowId);
        List<Verdict> out = new ArrayList<>();
        if (!Files.exists(f)) return out;
        for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
            String[] p = line.split("\t", -1);
            if (p.length < 8) continue; // a torn last line: the verdict will be recomputed
            Optional<Divergence> d = p[4].equals("-") ? Optional.empty()
                    : Optional.of(new Divergence(Long.parseLong(p[4]), Long.parseUnsignedLong(p[5].substring(2), 16),
                            p[6].equals("-") ? List.of() : List.of(p[6].split(" \\| "))));
            out.add(new Verdict(Outcome.valueOf(p[0]), p[1], p[2], Long.parseLong(p[3]), d, p[7]));
        }
        return out;
    }

    private static String clean(String s) {
        return s == null || s.isEmpty() ? "" : s.replace('\t', ' ').replace('\n', ' ');
    }
}
