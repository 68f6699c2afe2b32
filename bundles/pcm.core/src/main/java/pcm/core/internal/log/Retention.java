package pcm.core.internal.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Retention of window logs in one directory: deletes the oldest window files (complete, and
 * leftover {@code .part}/{@code .failed} ones) beyond a maximum age, count and total size. The
 * window being written is never touched. Age comes from the UTC time in the file name (the
 * modification time if the name has none). A limit {@code <= 0} means "no limit".
 */
public record Retention(int maxWindows, long maxBytes, Duration maxAge) {

    public static final Retention NONE = new Retention(0, 0, Duration.ZERO);

    /** Applies the limits; returns the deleted files (oldest first). Files that vanish meanwhile are skipped. */
    public List<Path> apply(Path dir, Instant now, Path exclude) throws IOException {
        List<Path> files = new ArrayList<>(LogCheck.windowFiles(dir));
        if (exclude != null) files.removeIf(p -> p.equals(exclude));
        List<Long> sizes = new ArrayList<>();
        long total = 0;
        for (Path p : files) {
            long s = size(p);
            sizes.add(s);
            total += s;
        }
        List<Path> deleted = new ArrayList<>();
        int i = 0;
        while (i < files.size()) {
            Path p = files.get(i);
            int remaining = files.size() - i;
            boolean tooOld = !maxAge.isZero() && !maxAge.isNegative() && time(p).isBefore(now.minus(maxAge));
            boolean tooMany = maxWindows > 0 && remaining > maxWindows;
            boolean tooBig = maxBytes > 0 && total > maxBytes;
            if (!(tooOld || tooMany || tooBig)) break;
            try {
                Files.deleteIfExists(p);
                deleted.add(p);
            } catch (IOException e) {
                // not deletable now: leave it, try the next time
            }
            total -= sizes.get(i);
            i++;
        }
        return deleted;
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (NoSuchFileException e) {
            return 0;
        } catch (IOException e) {
            return 0;
        }
    }

    private static Instant time(Path p) {
        Instant t = LogFormat.timeOf(p);
        if (t != null) return t;
        try {
            return Files.getLastModifiedTime(p).toInstant();
        } catch (IOException e) {
            return Instant.now();
        }
    }
}
