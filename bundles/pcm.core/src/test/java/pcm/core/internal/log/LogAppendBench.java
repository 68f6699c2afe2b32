package pcm.core.internal.log;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.SplittableRandom;

import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;

/**
 * Not a test: events/s and bytes per event of LogWriter/LogReader, and of the WindowRecorder
 * hand-off, for the notes. Run: java -cp target/classes:target/test-classes:... pcm.core.internal.log.LogAppendBench [dir]
 * Baseline in the same run: the raw cost of touching the events (no I/O). The recorder gets a queue
 * that holds the whole run, so the hand-off is measured without drops.
 */
public final class LogAppendBench {

    private LogAppendBench() {}

    public static void main(String[] args) throws Exception {
        Path dir = args.length > 0 ? Path.of(args[0]) : Files.createTempDirectory("pcmlog-bench");
        int n = 2_000_000;
        PcmEvent[] events = mix(n);
        for (int round = 0; round < 5; round++) {
            long t0 = System.nanoTime();
            long sink = 0;
            for (PcmEvent e : events) sink += e.position() ^ e.value() ^ e.data().length;
            long t1 = System.nanoTime();
            LogWriter w = LogWriter.create(dir, LogHeader.of("bench" + round, "bench", "", 0,
                    LogWriter.epochNanos(java.time.Instant.now()), 0, null));
            for (PcmEvent e : events) w.append(e);
            Path f = w.close(new PcmEvent(EventKind.END, 0, n, 0, 0, 0, 0, null, 0));
            long t2 = System.nanoTime();
            long read = 0;
            try (LogReader r = LogReader.open(f)) {
                while (r.next() != null) read++;
            }
            long t3 = System.nanoTime();
            WindowRecorder rec = new WindowRecorder(new WindowRecorder.Settings(dir, Retention.NONE, 4L << 30), n + 16);
            rec.accept(WindowMarkers.startEvent(0, "rec" + round, null, 0));
            long t4 = System.nanoTime();
            for (PcmEvent e : events) rec.accept(e);
            long t5 = System.nanoTime();
            rec.accept(new PcmEvent(EventKind.END, 0, n, 0, 0, 0, 0, null, 0));
            rec.sync(java.time.Duration.ofMinutes(5));
            long t6 = System.nanoTime();
            WindowRecorder.Status st = rec.status();
            rec.close();
            long size = Files.size(f);
            System.out.printf("round %d: %d events, %.1f bytes/event (mix: %.1f%% DMA), %s%n", round, n, size / (double) n,
                    100.0 * countDma(events) / n, sink == 42 ? "" : "");
            System.out.printf("  baseline (touch events)  %8.2f M events/s%n", n / ((t1 - t0) / 1e3));
            System.out.printf("  LogWriter.append+close   %8.2f M events/s  (%.0f MB/s)%n", n / ((t2 - t1) / 1e3), size / ((t2 - t1) / 1e3));
            System.out.printf("  LogReader.next           %8.2f M events/s  (%d read)%n", read / ((t3 - t2) / 1e3), read);
            System.out.printf("  recorder.accept (vCPU)   %8.2f M events/s  (overflowed %d, window %s)%n", n / ((t5 - t4) / 1e3),
                    st.overflowed(), st.windowsCompleted() == 1 ? "valid" : "failed");
            System.out.printf("  recorder end to end      %8.2f M events/s%n", n / ((t6 - t4) / 1e3));
        }
        try (var s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static long countDma(PcmEvent[] ev) {
        long c = 0;
        for (PcmEvent e : ev) if (e.kind() == EventKind.DMA_WRITE) c++;
        return c;
    }

    /** A plausible mix: mostly RDTSC/PIO/MMIO/interrupts, 1% DMA of 512 bytes, a few CPUID with 16 bytes. */
    static PcmEvent[] mix(int n) {
        SplittableRandom r = new SplittableRandom(7);
        EventKind[] common = {EventKind.RDTSC, EventKind.RDTSC, EventKind.PIO_IN, EventKind.MMIO_READ, EventKind.MMIO_WRITE,
            EventKind.INTERRUPT, EventKind.RDRAND, EventKind.MSR_READ};
        byte[] dma = TestLogs.bytes(512, 1);
        byte[] cpuid = TestLogs.bytes(16, 2);
        PcmEvent[] ev = new PcmEvent[n];
        for (int i = 0; i < n; i++) {
            int x = r.nextInt(100);
            EventKind k = x == 0 ? EventKind.DMA_WRITE : x == 1 ? EventKind.CPUID : common[r.nextInt(common.length)];
            byte[] data = k == EventKind.DMA_WRITE ? dma : k == EventKind.CPUID ? cpuid : null;
            ev[i] = new PcmEvent(k, 0, i * 13L, 0xFFFF_FFFF_8100_0000L + r.nextInt(1 << 20), r.nextInt(), 0x3F8, r.nextLong(), data, i * 100L);
        }
        return ev;
    }
}
