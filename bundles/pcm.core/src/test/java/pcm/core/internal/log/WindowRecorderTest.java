package pcm.core.internal.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;

class WindowRecorderTest {

    @TempDir
    Path dir;
    WindowRecorder rec;

    private WindowRecorder recorder(Path d, Retention r, int capacity) {
        rec = new WindowRecorder(new WindowRecorder.Settings(d, r, 64L << 20), capacity);
        return rec;
    }

    @AfterEach
    void stop() {
        if (rec != null) rec.close();
    }

    private static PcmEvent ev(EventKind k, long pos) {
        return new PcmEvent(k, 0, pos, 0, 0, 0, pos, null, pos);
    }

    private void window(WindowRecorder r, String id, int events) {
        r.accept(WindowMarkers.startEvent(0, id, Map.of("backend", "kvm", "cpuSignature", "0x906ea", "seed", "42"), 0));
        for (int i = 1; i <= events; i++) r.accept(ev(EventKind.RDTSC, i));
        r.accept(ev(EventKind.END, events + 1));
    }

    private void sync(WindowRecorder r) throws InterruptedException {
        assertTrue(r.sync(Duration.ofSeconds(10)));
    }

    @Test
    void windowsBecomeValidFiles() throws Exception {
        WindowRecorder r = recorder(dir, Retention.NONE, 1024);
        r.accept(ev(EventKind.RDTSC, 0)); // before any window
        window(r, "a", 10);
        window(r, "b", 0);
        sync(r);
        List<LogCheck.Result> res = LogCheck.checkDirectory(dir);
        assertEquals(2, res.size());
        for (LogCheck.Result x : res) assertEquals(LogCheck.Status.VALID, x.status(), x.summary());
        LogHeader h = res.get(0).header();
        assertEquals("a", h.windowId());
        assertEquals("kvm", h.backend());
        assertEquals(0x906EA, h.cpuSignature());
        assertEquals(Map.of("seed", "42"), h.properties());
        assertEquals(12, res.get(0).events()); // start marker, 10 events, END
        WindowRecorder.Status s = r.status();
        assertEquals(2, s.windowsCompleted());
        assertEquals(0, s.windowsFailed());
        assertEquals(1, s.outsideWindow());
        assertNull(s.currentWindow());
    }

    @Test
    void diskFailureFailsTheWindowAndTheRecorderGoesOn() throws Exception {
        Path blocker = dir.resolve("blocked");
        Files.writeString(blocker, "a file where the directory should be");
        WindowRecorder r = recorder(blocker.resolve("windows"), Retention.NONE, 1024);
        window(r, "lost", 5);
        sync(r);
        WindowRecorder.Status s = r.status();
        assertEquals(1, s.diskErrors());
        assertEquals(1, s.windowsFailed());
        assertEquals(0, s.windowsCompleted());
        assertEquals(6, s.droppedInFailedWindow());
        assertTrue(s.lastError().contains("lost"), s.lastError());

        r.update(new WindowRecorder.Settings(dir.resolve("ok"), Retention.NONE, 64L << 20));
        window(r, "next", 3);
        sync(r);
        assertEquals(1, r.status().windowsCompleted());
        assertEquals(LogCheck.Status.VALID, LogCheck.checkDirectory(dir.resolve("ok")).getFirst().status());
    }

    @Test
    void failureInTheMiddleOfAWindowLeavesItInvalid() throws Exception {
        Path d = dir.resolve("w");
        WindowRecorder r = recorder(d, Retention.NONE, 1024);
        r.accept(WindowMarkers.startEvent(0, "mid", null, 0));
        sync(r);
        // yank the file away mid-window: the writer keeps writing to the unlinked inode; then close renames a missing .part
        Path part = LogCheck.windowFiles(d).getFirst();
        Files.delete(part);
        r.accept(ev(EventKind.RDTSC, 1));
        r.accept(ev(EventKind.END, 2));
        sync(r);
        assertEquals(1, r.status().diskErrors());
        assertEquals(1, r.status().windowsFailed());
        assertEquals(0, r.status().windowsCompleted());
        assertEquals(0, LogCheck.windowFiles(d).size());
    }

    @Test
    void abortAndSupersedeMakeFailedWindows() throws Exception {
        WindowRecorder r = recorder(dir, Retention.NONE, 1024);
        r.accept(WindowMarkers.startEvent(0, "x", null, 0));
        r.accept(ev(EventKind.RDTSC, 1));
        r.accept(new PcmEvent(EventKind.STATE, 0, 2, 0, 0, 0, 0, WindowMarkers.abortData("x", "rcp timeout"), 2));
        r.accept(ev(EventKind.RDTSC, 3));           // dropped: outside a window
        r.accept(WindowMarkers.startEvent(0, "y", null, 0));
        r.accept(ev(EventKind.RDTSC, 1));
        window(r, "z", 2);                          // supersedes y
        sync(r);
        List<LogCheck.Result> res = LogCheck.checkDirectory(dir);
        assertEquals(3, res.size());
        long valid = res.stream().filter(LogCheck.Result::valid).count();
        assertEquals(1, valid);
        for (LogCheck.Result x : res) {
            if (!x.valid()) {
                assertEquals(LogCheck.Status.TORN, x.status());
                assertTrue(x.file().toString().endsWith(".failed"), x.file().toString());
            } else {
                assertEquals("z", x.header().windowId());
            }
        }
        assertEquals(2, r.status().windowsFailed());
    }

    @Test
    void overflowFailsTheWindowInsteadOfBlocking() throws Exception {
        WindowRecorder r = recorder(dir, Retention.NONE, 16);
        // the writer thread cannot keep up with a tight loop of 200k events into a 16-slot queue
        r.accept(WindowMarkers.startEvent(0, "flood", null, 0));
        for (int i = 1; i <= 200_000; i++) r.accept(ev(EventKind.RDTSC, i));
        r.accept(ev(EventKind.END, 200_001));
        sync(r);
        WindowRecorder.Status s = r.status();
        if (s.overflowed() == 0) return; // the writer kept up (cannot be forced without a hook); nothing to check
        assertEquals(0, LogCheck.checkDirectory(dir).stream().filter(LogCheck.Result::valid).count(),
                "a window that lost events is never valid: " + s);
        // the next window is fine again
        window(r, "calm", 3);
        sync(r);
        assertEquals(1, LogCheck.checkDirectory(dir).stream().filter(LogCheck.Result::valid).count());
    }

    @Test
    void retentionRunsAfterEachWindow() throws Exception {
        WindowRecorder r = recorder(dir, new Retention(2, 0, Duration.ZERO), 1024);
        for (int i = 0; i < 5; i++) {
            window(r, "r" + i, 1);
            sync(r);
        }
        List<Path> files = LogCheck.windowFiles(dir);
        assertEquals(2, files.size());
        assertTrue(files.get(1).getFileName().toString().contains("_r4_"));
        assertEquals(3, r.status().retentionDeleted());
    }

    @Test
    void stoppingMidWindowLeavesItFailed() throws IOException, InterruptedException {
        WindowRecorder r = recorder(dir, Retention.NONE, 1024);
        r.accept(WindowMarkers.startEvent(0, "cut", null, 0));
        r.accept(ev(EventKind.RDTSC, 1));
        r.close();
        List<LogCheck.Result> res = LogCheck.checkDirectory(dir);
        assertEquals(1, res.size());
        assertEquals(LogCheck.Status.TORN, res.getFirst().status());
        assertEquals(1, r.status().windowsFailed());
    }

    @Test
    void dataIsCopiedOnAccept() throws Exception {
        WindowRecorder r = recorder(dir, Retention.NONE, 1024);
        byte[] dma = TestLogs.bytes(64, 1);
        r.accept(WindowMarkers.startEvent(0, "copy", null, 0));
        r.accept(new PcmEvent(EventKind.DMA_WRITE, 0, 1, 0, 0, 0x1000, 0, dma, 1));
        java.util.Arrays.fill(dma, (byte) 0); // the device reuses its buffer
        r.accept(ev(EventKind.END, 2));
        sync(r);
        LogReader.LogContents c = LogReader.readAll(LogCheck.windowFiles(dir).getFirst());
        org.junit.jupiter.api.Assertions.assertArrayEquals(TestLogs.bytes(64, 1), c.events().get(1).data());
    }

    @Test
    void directoryExpansion() {
        assertEquals("./pcm-data/windows", EventLogSink.expand("${pcm.data}/windows", null));
        assertEquals("./pcm-data/windows", EventLogSink.expand("", null));
        assertEquals("/x/${no.such.property.pcm}", EventLogSink.expand("/x/${no.such.property.pcm}", null));
    }

    /** Issue 11 item 9: a disk that fails every window is reported once (per episode), the failures counted. */
    @Test
    void repeatedDiskErrorsAreReportedOnceAndCounted() throws Exception {
        Path notADirectory = dir.resolve("full");
        Files.writeString(notADirectory, "in the way");
        WindowRecorder r = recorder(notADirectory.resolve("windows"), Retention.NONE, 1024);
        for (int i = 0; i < 5; i++) window(r, "w" + i, 3);
        sync(r);
        assertEquals(5, r.status().diskErrors());
        assertEquals(5, r.status().windowsFailed());
        assertEquals(2, r.failureReports(), "one line for the disk, one for the windows given up");
    }

    /** Issue 11 item 9: a given-up window file that holds nothing readable is not kept (no zero-byte .failed). */
    @Test
    void aGivenUpFileWithNothingReadableIsRemoved() throws Exception {
        Path empty = dir.resolve(LogFormat.fileName(java.time.Instant.parse("2025-06-01T00:00:00Z"), "e") + LogFormat.FAILED);
        Files.createFile(empty);
        assertTrue(WindowRecorder.discardIfEmpty(empty));
        assertFalse(Files.exists(empty));
        WindowRecorder r = recorder(dir, Retention.NONE, 1024);
        window(r, "kept", 3);
        sync(r);
        Path log = LogCheck.windowFiles(dir).getFirst();
        assertFalse(WindowRecorder.discardIfEmpty(log), "a file with a header is kept");
    }

    /** Issue 11 item 9: leftovers of a crash are reported once at start: torn logs become .failed, temporaries go. */
    @Test
    void leftoversOfACrashAreReportedOnceAndSwept() throws Exception {
        WindowRecorder first = recorder(dir, Retention.NONE, 1024);
        window(first, "a", 20);
        window(first, "d", 2);
        sync(first);
        first.close();
        List<Path> logs = LogCheck.windowFiles(dir);
        Path a = logs.get(0), d = logs.get(1);
        // a: cut by a crash before its commit
        Path aPart = a.resolveSibling(a.getFileName() + LogFormat.PART);
        Files.move(a, aPart);
        try (var ch = java.nio.channels.FileChannel.open(aPart, java.nio.file.StandardOpenOption.WRITE)) {
            ch.truncate(Files.size(aPart) / 2);
        }
        String aPrefix = a.getFileName().toString().replace(LogFormat.SUFFIX, "");
        String dPrefix = d.getFileName().toString().replace(LogFormat.SUFFIX, "");
        Path aTemp = Files.write(dir.resolve(aPrefix + "_mem-final.bin.part"), new byte[10]);
        Path dTemp = Files.write(dir.resolve(dPrefix + "_mem-final.bin.part"), new byte[10]); // newest: may be in writing
        Path emptyFailed = Files.createFile(dir.resolve(LogFormat.fileName(java.time.Instant.parse("2025-06-01T00:00:00Z"), "z")
                + LogFormat.FAILED));
        WindowRecorder second = recorder(dir, Retention.NONE, 1024);
        sync(second);
        assertEquals(3, second.leftoversFound());
        assertFalse(Files.exists(aPart));
        Path aFailed = a.resolveSibling(a.getFileName() + LogFormat.FAILED);
        assertEquals(LogCheck.Status.TORN, LogCheck.check(aFailed).status(), "kept for diagnosis, never valid");
        assertFalse(Files.exists(aTemp));
        assertFalse(Files.exists(emptyFailed));
        assertTrue(Files.exists(dTemp));
        second.close();
        WindowRecorder third = recorder(dir, Retention.NONE, 1024);
        sync(third);
        assertEquals(0, third.leftoversFound(), "reported once");
    }
}
