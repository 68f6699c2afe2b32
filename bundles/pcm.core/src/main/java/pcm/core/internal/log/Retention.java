package pcm.core.internal.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Retention of windows in one directory: deletes the oldest windows — every file of each, its event log
 * (committed, {@code .part} or {@code .failed}), its snapshots and their leftover {@code .part} files — beyond a
 * maximum age, count and total size (of all those files). The window being written is never touched. A window's
 * files are those named {@code <utc-time>_<window-id>_...}; its age is the time in the name. A limit {@code <= 0}
 * means "no limit".
 */
public record Retention(int maxWindows, long maxBytes, Duration maxAge) {

    public static final Retention NONE = new Retention(0, 0, Duration.ZERO);

    /** The files of one window, and what they weigh. */
    private record Group(String id, Instant time, List<Path> files, long bytes) {}

    /**
     * Applies the limits; returns the deleted files (oldest window first). Files that vanish meanwhile are skipped.
     *
     * @param exclude a file of the window being written (its window is kept), or null
     */
    public List<Path> apply(Path dir, Instant now, Path exclude) throws IOException {
        String keep = exclude == null ? null : windowId(exclude.getFileName().toString());
        List<Group> windows = new ArrayList<>();
        for (Group g : groups(dir)) if (!g.id().equals(keep)) windows.add(g);
        long total = windows.stream().mapToLong(Group::bytes).sum();
        List<Path> deleted = new ArrayList<>();
        int i = 0;
        while (i < windows.size()) {
            Group g = windows.get(i);
            int remaining = windows.size() - i;
            boolean tooOld = !maxAge.isZero() && !maxAge.isNegative() && g.time().isBefore(now.minus(maxAge));
            boolean tooMany = maxWindows > 0 && remaining > maxWindows;
            boolean tooBig = maxBytes > 0 && total > maxBytes;
            if (!(tooOld || tooMany || tooBig)) break;
            for (Path p : g.files()) {
                try {
                    if (Files.deleteIfExists(p)) deleted.add(p);
                } catch (IOException e) {
                    // not deletable now: leave it, try the next time
                }
            }
            total -= g.bytes();
            i++;
        }
        return deleted;
    }

    /** Windows in dir, oldest first: files grouped by the window id in their names. */
    private static List<Group> groups(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) return List.of();
        List<Path> all;
        try (Stream<Path> s = Files.list(dir)) {
            all = new ArrayList<>(s.toList());
        }
        all.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
        Map<String, List<Path>> byId = new LinkedHashMap<>();
        Map<String, Instant> times = new LinkedHashMap<>();
        for (Path p : all) {
            String id = windowId(p.getFileName().toString());
            Instant t = id == null ? null : LogFormat.timeOf(p);
            if (t == null) continue; // not a window's file
            byId.computeIfAbsent(id, k -> new ArrayList<>()).add(p);
            times.merge(id, t, (a, b) -> a.isBefore(b) ? a : b);
        }
        List<Group> out = new ArrayList<>();
        for (Map.Entry<String, List<Path>> e : byId.entrySet()) {
            long bytes = 0;
            for (Path p : e.getValue()) bytes += size(p);
            out.add(new Group(e.getKey(), times.get(e.getKey()), e.getValue(), bytes));
        }
        out.sort((a, b) -> a.time().compareTo(b.time()) != 0 ? a.time().compareTo(b.time()) : a.id().compareTo(b.id()));
        return out;
    }

    /** The window id in {@code <utc-time>_<id>_<rest>}, or null. */
    static String windowId(String fileName) {
        int a = fileName.indexOf('_');
        int b = a < 0 ? -1 : fileName.indexOf('_', a + 1);
        return b < 0 ? null : fileName.substring(a + 1, b);
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0; // vanished meanwhile
        }
    }
}
