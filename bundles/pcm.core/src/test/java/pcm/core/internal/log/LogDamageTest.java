package pcm.core.internal.log;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;

/** Damaged logs are never read as valid, and each damage gets its typed error. */
class LogDamageTest {

    @TempDir
    Path dir;
    byte[] good;
    /** Offset where each record starts (index 0 = first record after the header; last = trailer). */
    List<Long> recordStarts = new ArrayList<>();

    @BeforeEach
    void smallLog() throws IOException {
        Path src = dir.resolve("src");
        LogWriter w = LogWriter.create(src, TestLogs.header("small"));
        w.append(WindowMarkers.startEvent(0, "small", null, 1));
        w.append(new PcmEvent(EventKind.RDTSC, 0, 10, 1, 2, 0, 12345, null, 2));
        w.append(new PcmEvent(EventKind.DMA_WRITE, 0, 20, 1, 2, 0x1000, 0, TestLogs.bytes(40, 5), 3));
        w.append(new PcmEvent(EventKind.INTERRUPT, 0, 30, 1, 2, 0x20, 0, null, 4));
        Path f = w.close(TestLogs.end(40));
        good = Files.readAllBytes(f);
        long off = 24 + le32(good, 12); // header length = first record offset
        while (off < good.length) {
            recordStarts.add(off);
            off += 12 + le32(good, (int) off);
        }
        assertEquals(good.length, off);
        assertEquals(5, recordStarts.size());
    }

    private static int le32(byte[] b, int at) {
        return (b[at] & 0xFF) | (b[at + 1] & 0xFF) << 8 | (b[at + 2] & 0xFF) << 16 | (b[at + 3] & 0xFF) << 24;
    }

    private Path write(byte[] content) throws IOException {
        Path f = dir.resolve("20250101T000000.000000Z_small_events.pcmlog");
        Files.write(f, content);
        return f;
    }

    /** Reads everything; returns normally only for a valid log. */
    private static void readFully(Path f) throws IOException {
        try (LogReader r = LogReader.open(f)) {
            while (r.next() != null) { /* drain */ }
        }
    }

    @Test
    void truncationAtEveryOffsetIsTornNeverValid() throws IOException {
        int torn = 0, truncated = 0;
        for (int len = 0; len < good.length; len++) {
            Path f = write(Arrays.copyOf(good, len));
            try {
                readFully(f);
                fail("a log cut to " + len + " of " + good.length + " bytes was read as valid");
            } catch (TruncatedLogException e) {
                truncated++;
            } catch (TornWindowException e) {
                torn++;
                assertTrue(len == 24 + le32(good, 12) || recordStarts.contains((long) len),
                        "clean torn end only at a record boundary, got " + len);
            } catch (LogException e) {
                fail("cut at " + len + ": expected torn/truncated, got " + e);
            }
            LogCheck.Result r = LogCheck.check(f);
            assertEquals(LogCheck.Status.TORN, r.status(), "cut at " + len + ": " + r.summary());
        }
        assertEquals(recordStarts.size(), torn, "one clean cut per record boundary (incl. right after the header)");
        assertEquals(good.length - torn, truncated);
        readFully(write(good)); // sanity: the uncut file is valid
    }

    @Test
    void everySingleBitFlipIsCorruptAndNamesTheRecord() throws IOException {
        for (int at = 0; at < good.length; at++) {
            long expectedRecord = CorruptRecordException.HEADER;
            for (int i = recordStarts.size() - 1; i >= 0; i--) {
                if (at >= recordStarts.get(i)) {
                    expectedRecord = i;
                    break;
                }
            }
            for (int bit = 0; bit < 8; bit++) {
                byte[] bad = good.clone();
                bad[at] ^= (byte) (1 << bit);
                Path f = write(bad);
                try {
                    readFully(f);
                    fail("flip of bit " + bit + " at byte " + at + " was read as valid");
                } catch (CorruptRecordException e) {
                    assertEquals(expectedRecord, e.recordIndex(), "flip at " + at + ": " + e.getMessage());
                    long start = expectedRecord == CorruptRecordException.HEADER ? 0 : recordStarts.get((int) expectedRecord);
                    if (expectedRecord != CorruptRecordException.HEADER) assertEquals(start, e.offset(), e.getMessage());
                } catch (LogException e) {
                    fail("flip of bit " + bit + " at byte " + at + ": expected CorruptRecordException, got " + e);
                }
                if (bit == 0) assertEquals(LogCheck.Status.CORRUPT, LogCheck.check(f).status());
            }
        }
    }

    @Test
    void dataAfterTheTrailerIsCorrupt() throws IOException {
        byte[] longer = Arrays.copyOf(good, good.length + 3);
        CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> readFully(write(longer)));
        assertEquals(recordStarts.size(), e.recordIndex());
    }

    @Test
    void notALog() throws IOException {
        Path f = write(TestLogs.utf8("hello, this is not a log at all"));
        CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> readFully(f));
        assertEquals(CorruptRecordException.HEADER, e.recordIndex());
    }

    @Test
    void uncommittedFilesAreTornEvenWhenComplete() throws IOException {
        for (String suffix : List.of(LogFormat.PART, LogFormat.FAILED)) {
            Path f = dir.resolve("20250101T000000.000000Z_small_events.pcmlog" + suffix);
            Files.write(f, good);
            TornWindowException e = assertThrows(TornWindowException.class, () -> readFully(f));
            assertEquals(TornWindowException.class, e.getClass());
            assertEquals(LogCheck.Status.TORN, LogCheck.check(f).status());
        }
    }

    @Test
    void droppedRecordIsCaughtByTheTrailer() throws IOException {
        // remove record #2 (the DMA) entirely: every remaining record is intact, the stream is not
        int from = recordStarts.get(2).intValue(), to = recordStarts.get(3).intValue();
        byte[] cut = new byte[good.length - (to - from)];
        System.arraycopy(good, 0, cut, 0, from);
        System.arraycopy(good, to, cut, from, good.length - to);
        CorruptRecordException e = assertThrows(CorruptRecordException.class, () -> readFully(write(cut)));
        assertEquals(3, e.recordIndex(), e.getMessage());
        assertTrue(e.getMessage().contains("trailer"), e.getMessage());
    }

    @Test
    void abortedWindowIsKeptAsFailed() throws IOException {
        LogWriter w = LogWriter.create(dir, TestLogs.header("gone"));
        w.append(new PcmEvent(EventKind.RDRAND, 0, 1, 0, 0, 0, 7, null, 1));
        Path p = w.abort("test");
        assertTrue(p.getFileName().toString().endsWith("_gone_events.pcmlog.failed"), p.toString());
        TornWindowException e = assertThrows(TornWindowException.class, () -> readFully(p));
        assertEquals(1, e.intactRecords());
    }
}
