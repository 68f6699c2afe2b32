package pcm.core.internal.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;

/**
 * Issue 11 item 5: the trailer's stream check depends on the content and order of the records (format 1.2),
 * an older log is still read but reported as checked only as far as its weaker check goes, and a header
 * that is not UTF-8 is corrupt.
 */
class LogIntegrityTest {

    @TempDir
    Path dir;

    /** A log with three RDTSC records of equal length and different values. */
    private byte[] log(String id, long base) throws IOException {
        Path src = dir.resolve("src-" + id + "-" + base);
        LogWriter w = LogWriter.create(src, TestLogs.header(id));
        for (int i = 0; i < 3; i++) w.append(new PcmEvent(EventKind.RDTSC, 0, 10 + i, 1, 2, 0, base + i, null, 3));
        return Files.readAllBytes(w.close(TestLogs.end(20)));
    }

    /** Offsets of the records after the header (the trailer last). */
    private static List<Integer> records(byte[] log) {
        List<Integer> at = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(log).order(ByteOrder.LITTLE_ENDIAN);
        int off = 24 + b.getInt(12);
        while (off < log.length) {
            at.add(off);
            off += 12 + b.getInt(off);
        }
        return at;
    }

    private Path write(byte[] content) throws IOException {
        Path f = dir.resolve("20250101T000000.000000Z_w_events.pcmlog");
        Files.write(f, content);
        return f;
    }

    private static byte[] swap(byte[] log, int a, int b, int length) {
        byte[] out = log.clone();
        System.arraycopy(log, a, out, b, length);
        System.arraycopy(log, b, out, a, length);
        return out;
    }

    @Test
    void reorderedRecordsOfEqualLengthAreCorrupt() throws IOException {
        byte[] good = log("w", 1000);
        List<Integer> r = records(good);
        int len = r.get(1) - r.get(0);
        assertEquals(len, r.get(2) - r.get(1), "equal-length records");
        LogCheck.Result ok = LogCheck.check(write(good));
        assertEquals(LogCheck.Status.VALID, ok.status());
        assertEquals(LogReader.CHAIN, ok.streamCheck());

        LogCheck.Result swapped = LogCheck.check(write(swap(good, r.get(0), r.get(1), len)));
        assertEquals(LogCheck.Status.CORRUPT, swapped.status(), swapped.summary());
        assertTrue(swapped.problem().contains("record chain"), swapped.problem());
        assertEquals(3, swapped.problemRecord(), "reported at the trailer");
    }

    @Test
    void recordsTransplantedFromAnotherLogAreCorrupt() throws IOException {
        byte[] a = log("w", 1000), b = log("w", 5000);
        List<Integer> r = records(a);
        int len = r.get(1) - r.get(0);
        byte[] mixed = a.clone();
        System.arraycopy(b, r.get(1), mixed, r.get(1), len);
        LogCheck.Result res = LogCheck.check(write(mixed));
        assertEquals(LogCheck.Status.CORRUPT, res.status(), res.summary());

        // the whole header of another window's log (same length) in front of these records
        byte[] c = log("v", 1000);
        byte[] headerSwap = a.clone();
        System.arraycopy(c, 0, headerSwap, 0, r.get(0));
        assertEquals(LogCheck.Status.CORRUPT, LogCheck.check(write(headerSwap)).status());
    }

    /** The defect the chain fixes: a 1.1 trailer cannot see a reorder; such a log says how little was checked. */
    @Test
    void olderLogsAreReadAndSayTheirCheckIsWeaker() throws IOException {
        List<byte[]> recs = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            byte[] p = TestLogs.eventPayload(0, 10 + i, new byte[0], new byte[0]);
            ByteBuffer.wrap(p).order(ByteOrder.LITTLE_ENDIAN).putLong(36, 1000 + i); // value
            recs.add(TestLogs.record(1, p));
        }
        byte[] old = TestLogs.log(1, 1, recs);
        LogCheck.Result ok = LogCheck.check(write(old));
        assertEquals(LogCheck.Status.VALID, ok.status(), ok.summary());
        assertEquals(LogReader.LENGTHS, ok.streamCheck());
        assertNull(ok.trailer().streamDigest());
        assertTrue(ok.summary().contains("not detected"), ok.summary());

        List<byte[]> reordered = List.of(recs.get(1), recs.get(0), recs.get(2));
        byte[] oldSwapped = TestLogs.log(1, 1, recs);
        List<Integer> r = records(oldSwapped);
        oldSwapped = swap(oldSwapped, r.get(0), r.get(1), r.get(1) - r.get(0));
        LogCheck.Result weak = LogCheck.check(write(oldSwapped));
        assertEquals(LogCheck.Status.VALID, weak.status(), "format 1.1 cannot see this: " + weak.summary());
        assertEquals(LogReader.LENGTHS, weak.streamCheck());

        // the same reorder in a 1.2 log (hand-encoded from the format document) is caught
        byte[] chained = TestLogs.log(1, 2, recs);
        assertEquals(LogReader.CHAIN, LogCheck.check(write(chained)).streamCheck());
        r = records(chained);
        assertEquals(LogCheck.Status.CORRUPT, LogCheck.check(write(swap(chained, r.get(0), r.get(1), r.get(1) - r.get(0)))).status());
        assertEquals(LogCheck.Status.VALID, LogCheck.check(write(TestLogs.log(1, 2, reordered))).status(),
                "a log written in that order is of course valid");
    }

    @Test
    void headerThatIsNotUtf8IsCorruptNotUnreadable() throws IOException {
        byte[] h = TestLogs.headerBytes(1, LogFormat.MINOR, "hand");
        // "GenuineIntel" starts at body offset 4 + 2: make its first byte a lone continuation byte, re-seal the body
        int body = 20, n = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN).getInt(12);
        h[body + 6] = (byte) 0x80;
        ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN).putInt(body + n, TestLogs.crc(h, body, n));
        Path f = write(h);
        CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> LogReader.open(f));
        assertEquals(CorruptRecordException.HEADER, e.recordIndex());
        assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
        assertEquals(LogCheck.Status.CORRUPT, LogCheck.check(f).status());
    }

    @Test
    void bytesAfterTheHeaderFieldsOfAKnownVersionAreCorrupt() throws IOException {
        byte[] h = TestLogs.headerBytes(1, LogFormat.MINOR, "hand");
        ByteBuffer hb = ByteBuffer.wrap(h).order(ByteOrder.LITTLE_ENDIAN);
        int n = hb.getInt(12);
        // one more body byte: new length, new prefix CRC, new body CRC
        ByteBuffer x = ByteBuffer.allocate(h.length + 1).order(ByteOrder.LITTLE_ENDIAN);
        x.put(h, 0, 20 + n).put((byte) 7);
        x.putInt(12, n + 1).putInt(16, TestLogs.crc(x.array(), 0, 16));
        x.putInt(20 + n + 1, TestLogs.crc(x.array(), 20, n + 1));
        Path f = write(x.array());
        CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> LogReader.open(f));
        assertTrue(e.getMessage().contains("after the header fields"), e.getMessage());
    }
}
