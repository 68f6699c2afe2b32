package pcm.core.internal.log;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;

class LogRoundTripTest {

    @TempDir
    Path dir;

    static void assertSameEvent(PcmEvent a, PcmEvent b) {
        assertEquals(a.kind(), b.kind());
        assertEquals(a.vcpu(), b.vcpu());
        assertEquals(a.position(), b.position());
        assertEquals(a.rip(), b.rip());
        assertEquals(a.rcx(), b.rcx());
        assertEquals(a.address(), b.address());
        assertEquals(a.value(), b.value());
        assertEquals(a.timestampNanos(), b.timestampNanos());
        assertArrayEquals(a.data(), b.data(), a.kind() + " data");
    }

    @Test
    void everyKindRoundTrips() throws IOException {
        List<PcmEvent> in = new ArrayList<>(TestLogs.everyKind());
        // DMA larger than the writer's and the reader's buffers
        in.add(new PcmEvent(EventKind.DMA_WRITE, 1, 77, 1, 2, 0x10_0000, 4 << 20, TestLogs.bytes(4 << 20, 3), 5));
        in.add(new PcmEvent(EventKind.DMA_WRITE, 1, 78, 1, 2, 0x20_0000, 300_000, TestLogs.bytes(300_000, 9), 6));
        in.add(new PcmEvent(EventKind.RDTSC, 0, -1, 0, 0, 0, Long.MIN_VALUE, null, Long.MAX_VALUE));
        PcmEvent end = new PcmEvent(EventKind.END, 0, 123_456, 0xABC, 0, 0, 0, TestLogs.utf8("end of w1"), 999);
        LogWriter w = LogWriter.create(dir, TestLogs.header("w1"));
        for (PcmEvent e : in) w.append(e);
        Path file = w.close(end);
        assertTrue(Files.exists(file));
        assertFalse(Files.exists(w.partFile()));
        assertTrue(file.getFileName().toString().matches("\\d{8}T\\d{6}\\.\\d{6}Z_w1_events\\.pcmlog"), file.toString());

        LogReader.LogContents c = LogReader.readAll(file);
        assertEquals(TestLogs.header("w1"), c.header());
        assertEquals(in.size() + 1, c.events().size());
        for (int i = 0; i < in.size(); i++) assertSameEvent(in.get(i), c.events().get(i));
        assertSameEvent(end, c.events().getLast());
        assertEquals(in.size(), c.trailer().recordCount());
        Set<EventKind> seen = EnumSet.noneOf(EventKind.class);
        c.events().forEach(e -> seen.add(e.kind()));
        assertEquals(EnumSet.allOf(EventKind.class), seen, "every kind round-trips");

        LogCheck.Result r = LogCheck.check(file);
        assertEquals(LogCheck.Status.VALID, r.status(), r.summary());
        assertEquals(in.size() + 1, r.events());
        assertEquals(3L, r.byKind().get(EventKind.DMA_WRITE));
        assertEquals(Files.size(file), r.bytes());
    }

    @Test
    void everyKindHasAStableDistinctCode() {
        Set<Integer> codes = new java.util.HashSet<>();
        for (EventKind k : EventKind.values()) {
            assertTrue(codes.add(LogFormat.code(k)), k + " code collides");
            assertEquals(k, LogFormat.kind(LogFormat.code(k)));
        }
        assertEquals(1, LogFormat.code(EventKind.RDTSC));
        assertEquals(15, LogFormat.code(EventKind.END));
        assertEquals(16, LogFormat.code(EventKind.STATE));
    }

    @Test
    void independentEncoderMatchesTheDocument() throws IOException {
        // a log built byte by byte from docs/event-log-format.md reads back
        List<byte[]> recs = List.of(
                TestLogs.record(16, TestLogs.eventPayload(0, 0, TestLogs.utf8("window-start hand"), new byte[0])),
                TestLogs.record(1, TestLogs.eventPayload(2, 10, new byte[0], new byte[0])),
                TestLogs.record(12, TestLogs.eventPayload(0, 11, TestLogs.bytes(100, 1), new byte[0])));
        Path f = dir.resolve("20250101T000000.000000Z_hand_events.pcmlog");
        Files.write(f, TestLogs.log(1, 0, recs));
        LogReader.LogContents c = LogReader.readAll(f);
        assertEquals("hand", c.header().windowId());
        assertEquals(List.of(EventKind.STATE, EventKind.RDTSC, EventKind.DMA_WRITE, EventKind.END),
                c.events().stream().map(PcmEvent::kind).toList());
        assertEquals(2, c.events().get(1).vcpu());
        assertEquals(7, c.events().get(1).timestampNanos());
        assertArrayEquals(TestLogs.bytes(100, 1), c.events().get(2).data());
    }

    /**
     * Batched (what the recorder writes from 1.3 on): many events in deflated BATCH records, an event with much data in
     * its own record between them, every event back in order; a cut anywhere is torn, a changed byte corrupt.
     */
    @Test
    void batchedLogsRoundTripAndEveryDamageIsCaught() throws IOException {
        List<PcmEvent> in = new java.util.ArrayList<>();
        in.add(WindowMarkers.startEvent(0, "wb", java.util.Map.of("backend", "soft"), 1));
        for (int i = 1; i <= 3_000; i++) {
            in.add(new PcmEvent(EventKind.RDTSC, 0, i * 7L, 0xFFFF_8000_0000_1000L, 5, 0, 1_000_000L + i * 3L, null, i));
            if (i == 1_500) in.add(new PcmEvent(EventKind.DMA_WRITE, 0, i * 7L, 0, 0, 0x9000, 40_000, TestLogs.bytes(40_000, 3), i));
            if (i % 1_000 == 0) in.add(new PcmEvent(EventKind.FINGERPRINTS, 0, i * 7L - 900, 0, 0, 0, 900, TestLogs.bytes(900, i), i));
        }
        PcmEvent end = TestLogs.end(21_001);
        LogWriter w = LogWriter.create(dir, TestLogs.header("wb"), true);
        for (PcmEvent e : in) w.append(e);
        Path file = w.close(end);
        assertTrue(w.records() < 10, "records " + w.records());
        LogReader.LogContents c = LogReader.readAll(file);
        assertEquals(in.size() + 1, c.events().size());
        for (int i = 0; i < in.size(); i++) assertSameEvent(in.get(i), c.events().get(i));
        assertEquals(w.records(), c.trailer().recordCount());
        LogCheck.Result ok = LogCheck.check(file);
        assertEquals(LogCheck.Status.VALID, ok.status(), ok.summary());
        assertEquals(in.size() + 1, ok.events());
        long plain = 68L * 3_000 + 40_000;
        assertTrue(Files.size(file) < plain / 2, "batched " + Files.size(file) + " bytes against ~" + plain);

        byte[] good = Files.readAllBytes(file);
        Path f = dir.resolve("20250101T000000.000000Z_wb2_events.pcmlog");
        for (int at = 0; at < good.length; at += 97) {
            Files.write(f, java.util.Arrays.copyOf(good, at));
            LogCheck.Status s = LogCheck.check(f).status();
            assertEquals(LogCheck.Status.TORN, s, "cut at " + at);
            byte[] bad = good.clone();
            bad[at] ^= 0x10;
            Files.write(f, bad);
            LogCheck.Status d = LogCheck.check(f).status();
            assertTrue(d == LogCheck.Status.CORRUPT || d == LogCheck.Status.UNSUPPORTED && at < 12, "byte " + at + ": " + d);
        }
        // a BATCH in a log of a version before batches is an unknown kind there: corrupt
        Files.write(f, TestLogs.log(1, 2, List.of(TestLogs.record(LogFormat.BATCH, new byte[] {1, 0, 0, 0, 6, 0, 0, 0, 3, 0}))));
        assertEquals(LogCheck.Status.CORRUPT, LogCheck.check(f).status());
    }

    /** Logs of the versions before FINGERPRINTS (1.1 per-instruction checkpoints, 1.2 the record chain) still read. */
    @Test
    void olderMinorVersionsStillRead() throws IOException {
        List<byte[]> recs = List.of(
                TestLogs.record(16, TestLogs.eventPayload(0, 0, TestLogs.utf8("window-start old"), new byte[0])),
                TestLogs.record(17, TestLogs.eventPayload(0, 1, TestLogs.bytes(8, 3), new byte[0])), // CHECKPOINT
                TestLogs.record(18, TestLogs.eventPayload(0, 1, new byte[0], new byte[0])),          // REG_WRITE
                TestLogs.record(9, TestLogs.eventPayload(0, 2, new byte[0], new byte[0])));
        for (int minor : new int[] {1, 2}) {
            Path f = dir.resolve("20250101T000000.000000Z_old" + minor + "_events.pcmlog");
            Files.write(f, TestLogs.log(1, minor, recs));
            LogReader.LogContents c = LogReader.readAll(f);
            assertEquals(minor, c.header().formatMinor());
            assertEquals(List.of(EventKind.STATE, EventKind.CHECKPOINT, EventKind.REG_WRITE, EventKind.PIO_IN, EventKind.END),
                    c.events().stream().map(PcmEvent::kind).toList());
            LogCheck.Result r = LogCheck.check(f);
            assertEquals(LogCheck.Status.VALID, r.status(), r.summary());
        }
        assertEquals(3, LogFormat.MINOR);
        assertEquals(19, LogFormat.code(EventKind.FINGERPRINTS));
    }

    @Test
    void higherMinorVersionSkipsUnknownKindsAndExtraFields() throws IOException {
        List<byte[]> recs = List.of(
                TestLogs.record(1, TestLogs.eventPayload(0, 1, new byte[0], new byte[] {9, 9, 9})), // extra trailing field
                TestLogs.record(0x200, new byte[] {1, 2, 3, 4, 5}),                               // unknown kind
                TestLogs.record(9, TestLogs.eventPayload(0, 2, new byte[0], new byte[0])));
        Path f = dir.resolve("20250101T000000.000000Z_m_events.pcmlog");
        Files.write(f, TestLogs.log(1, 7, recs));
        LogReader.LogContents c = LogReader.readAll(f);
        assertEquals(7, c.header().formatMinor());
        assertEquals(List.of(EventKind.RDTSC, EventKind.PIO_IN, EventKind.END), c.events().stream().map(PcmEvent::kind).toList());
        assertEquals(1, c.unknownRecords());
        assertEquals(3, c.trailer().recordCount());

        // the same unknown kind in a file of this reader's own minor version is corrupt
        Files.write(f, TestLogs.log(1, LogFormat.MINOR, recs.subList(1, 3)));
        CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> LogReader.readAll(f));
        assertEquals(0, e.recordIndex());
        // and so are bytes after a record's fields (issue 11 item 5: nobody would read them)
        Files.write(f, TestLogs.log(1, LogFormat.MINOR, recs));
        e = assertThrows(CorruptRecordException.class, () -> LogReader.readAll(f));
        assertEquals(0, e.recordIndex());
        assertTrue(e.getMessage().contains("3 bytes after its fields"), e.getMessage());
    }

    @Test
    void unknownMajorVersionIsRejectedTyped() throws IOException {
        Path f = dir.resolve("20250101T000000.000000Z_v2_events.pcmlog");
        Files.write(f, TestLogs.log(2, 0, List.of()));
        UnsupportedLogVersionException e = assertThrows(UnsupportedLogVersionException.class, () -> LogReader.open(f));
        assertEquals(2, e.major());
        assertEquals(LogCheck.Status.UNSUPPORTED, LogCheck.check(f).status());
    }

    @Test
    void emptyWindowIsValid() throws IOException {
        LogWriter w = LogWriter.create(dir, TestLogs.header("empty"));
        Path f = w.close(TestLogs.end(0));
        LogReader.LogContents c = LogReader.readAll(f);
        assertEquals(1, c.events().size());
        assertEquals(0, c.trailer().recordCount());
    }

    @Test
    void jsonExport() throws IOException {
        LogWriter w = LogWriter.create(dir, TestLogs.header("j\"son"));
        for (PcmEvent e : TestLogs.everyKind()) w.append(e);
        Path f = w.close(TestLogs.end(5));
        StringBuilder sb = new StringBuilder();
        LogCheck.Result r = LogJson.export(f, sb);
        assertTrue(r.valid());
        String json = sb.toString();
        assertTrue(json.contains("\"status\":\"VALID\""), json);
        assertTrue(json.contains("\"windowId\":\"j\\\"son\""), json);
        assertTrue(json.contains("\"kind\":\"DMA_WRITE\""));
        assertTrue(json.contains("\"text\":\"window-start w1 backend=soft\""), json.substring(0, 400));
        assertTrue(json.contains("\"cpuSignature\":\"0x000906ea\""));
        assertNotNull(r.trailer());
        // balanced braces/brackets outside strings: a cheap well-formedness check
        int depth = 0;
        boolean inStr = false;
        for (int i = 0; i < json.length(); i++) {
            char ch = json.charAt(i);
            if (inStr) {
                if (ch == '\\') i++;
                else if (ch == '"') inStr = false;
            } else if (ch == '"') inStr = true;
            else if (ch == '{' || ch == '[') depth++;
            else if (ch == '}' || ch == ']') depth--;
            assertTrue(depth >= 0);
        }
        assertEquals(0, depth);
    }

    @Test
    void hostCpuSignature() {
        assertEquals(0x000906EA, HostCpu.signature(6, 0x9E, 10));
        assertEquals(0x00A20F10, HostCpu.signature(0x19, 0x21, 0)); // AMD Zen 3
        HostCpu c = HostCpu.parse(List.of("processor\t: 0", "vendor_id\t: GenuineIntel", "cpu family\t: 6",
                "model\t\t: 158", "stepping\t: 10", ""));
        assertEquals(new HostCpu("GenuineIntel", 0x906EA), c);
    }

    @Test
    void markers() {
        PcmEvent s = WindowMarkers.startEvent(1, "w 7", java.util.Map.of("backend", "kvm"), 5);
        WindowMarkers.Start p = WindowMarkers.parseStart(s);
        assertEquals("w_7", p.windowId());
        assertEquals("kvm", p.attributes().get("backend"));
        assertTrue(WindowMarkers.isStart(s));
        PcmEvent a = new PcmEvent(EventKind.STATE, 0, 0, 0, 0, 0, 0, WindowMarkers.abortData("w", "timeout"), 0);
        assertTrue(WindowMarkers.isAbort(a));
        assertFalse(WindowMarkers.isStart(a));
        PcmEvent other = new PcmEvent(EventKind.STATE, 0, 0, 0, 0, 0, 0, TestLogs.utf8("window-started"), 0);
        assertFalse(WindowMarkers.isStart(other));
        assertEquals(null, WindowMarkers.parseStart(other));
    }
}
