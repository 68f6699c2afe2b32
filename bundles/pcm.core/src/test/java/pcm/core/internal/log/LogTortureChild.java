package pcm.core.internal.log;

import java.nio.file.Path;
import java.util.SplittableRandom;

import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;

/**
 * Child JVM of {@link SigkillTest}: writes windows in a loop until it is killed, printing
 * {@code open <file>} when a window's file exists and {@code closed <file>} once it is committed.
 * Exits by itself when its stdin closes (the parent is gone) or after two minutes.
 */
public final class LogTortureChild {

    private LogTortureChild() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        long seed = args.length > 1 ? Long.parseLong(args[1]) : 1;
        Thread watchdog = Thread.ofPlatform().daemon().start(() -> {
            try {
                while (System.in.read() >= 0) { /* wait for EOF */ }
            } catch (java.io.IOException ignored) {
                // parent gone
            }
            Runtime.getRuntime().halt(3);
        });
        long deadline = System.nanoTime() + 120_000_000_000L;
        SplittableRandom rnd = new SplittableRandom(seed);
        EventKind[] kinds = EventKind.values();
        for (int w = 0; System.nanoTime() < deadline && watchdog.isAlive(); w++) {
            String id = "t" + w;
            LogWriter writer = LogWriter.create(dir, LogHeader.of(id, "soft", "GenuineIntel", 0x906EA,
                    LogWriter.epochNanos(java.time.Instant.now()), System.nanoTime(), java.util.Map.of("seed", "" + seed)));
            System.out.println("open " + writer.partFile());
            System.out.flush();
            writer.append(WindowMarkers.startEvent(0, id, null, System.nanoTime()));
            int n = 2_000 + rnd.nextInt(20_000);
            for (int i = 1; i <= n; i++) {
                EventKind k = kinds[rnd.nextInt(kinds.length)];
                if (k == EventKind.END || k == EventKind.STATE) k = EventKind.RDTSC;
                byte[] data = k == EventKind.DMA_WRITE ? new byte[rnd.nextInt(8192)] : null;
                if (data != null) rnd.nextBytes(data);
                writer.append(new PcmEvent(k, 0, i * 7L, rnd.nextLong(), i, rnd.nextLong(), rnd.nextLong(), data, System.nanoTime()));
                if (i % 1000 == 0) Thread.sleep(1);
            }
            Path done = writer.close(new PcmEvent(EventKind.END, 0, n * 7L + 1, 0, 0, 0, 0, null, System.nanoTime()));
            System.out.println("closed " + done);
            System.out.flush();
        }
    }
}
