package pcm.core.internal.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RetentionTest {

    @TempDir
    Path dir;
    final Instant now = Instant.parse("2025-06-30T12:00:00Z");

    /** Window i starts i days after 2025-06-01, 1000*(i+1) bytes. */
    private List<Path> windows(int n) throws IOException {
        List<Path> l = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Path p = dir.resolve(LogFormat.fileName(Instant.parse("2025-06-01T00:00:00Z").plus(Duration.ofDays(i)), "w" + i));
            Files.write(p, new byte[1000 * (i + 1)]);
            l.add(p);
        }
        Files.writeString(dir.resolve("notes.txt"), "not a window");
        return l;
    }

    private static List<String> names(List<Path> l) {
        return l.stream().map(p -> p.getFileName().toString()).toList();
    }

    @Test
    void byCount() throws IOException {
        List<Path> w = windows(5);
        List<Path> deleted = new Retention(3, 0, Duration.ZERO).apply(dir, now, null);
        assertEquals(names(w.subList(0, 2)), names(deleted));
        assertEquals(3, LogCheck.windowFiles(dir).size());
        assertTrue(Files.exists(dir.resolve("notes.txt")));
    }

    @Test
    void byBytes() throws IOException {
        windows(4); // 1000 + 2000 + 3000 + 4000
        List<Path> deleted = new Retention(0, 7500, Duration.ZERO).apply(dir, now, null);
        assertEquals(2, deleted.size()); // 10000 -> 9000 -> 7000
        assertEquals(7000, LogCheck.windowFiles(dir).stream().mapToLong(p -> p.toFile().length()).sum());
    }

    @Test
    void byAge() throws IOException {
        List<Path> w = windows(10); // June 1..10; now June 30 -> 25 days keeps June 6 (24.5 d) and newer
        List<Path> deleted = new Retention(0, 0, Duration.ofDays(25)).apply(dir, now, null);
        assertEquals(names(w.subList(0, 5)), names(deleted));
    }

    @Test
    void neverTheWindowBeingWrittenAndLeftoversCount() throws IOException {
        List<Path> w = windows(3);
        Path part = dir.resolve(LogFormat.fileName(Instant.parse("2025-05-01T00:00:00Z"), "current") + LogFormat.PART);
        Files.write(part, new byte[10]);
        Path failed = dir.resolve(LogFormat.fileName(Instant.parse("2025-05-02T00:00:00Z"), "old") + LogFormat.FAILED);
        Files.write(failed, new byte[10]);
        List<Path> deleted = new Retention(1, 0, Duration.ofDays(1)).apply(dir, now, part);
        assertTrue(Files.exists(part), "the window being written is never deleted");
        assertEquals(List.of(failed.getFileName().toString(), names(w).get(0), names(w).get(1), names(w).get(2)),
                names(deleted));
    }

    @Test
    void noLimits() throws IOException {
        windows(3);
        assertEquals(0, Retention.NONE.apply(dir, now, null).size());
        assertEquals(0, new Retention(0, 0, Duration.ZERO).apply(dir.resolve("missing"), now, null).size());
    }
}
