package pcm.core.internal.sampling;

import pcm.core.api.memory.Xxh64;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import pcm.core.api.sampling.WindowDamagedException.Problem;
import pcm.core.api.guest.LongModeBoot;

class SnapshotFilesTest {

    @TempDir
    Path dir;

    private static CpuState state(long pos) {
        return new CpuState(pos, LongModeBoot.registers(0x100000 + pos), LongModeBoot.specialRegisters(), new byte[512],
                Map.of(CpuState.EFER, 0xD01L, CpuState.LSTAR, 0xFFFF800000001000L), List.of(CpuState.TSC_AUX), null);
    }

    @Test
    void cpuRoundTripAndDamage() throws Exception {
        Path f = dir.resolve("t_w1_cpu.bin");
        SnapshotFiles.writeCpu(f, "w1", "soft", state(0), state(99), new SnapshotFiles.Binding(1, 2, 3));
        SnapshotFiles.CpuFile c = SnapshotFiles.readCpu(f);
        assertEquals("w1", c.windowId());
        assertEquals(99, c.end().position());
        assertEquals(state(99).registers(), c.end().registers());
        assertEquals(state(0).specialRegisters(), c.initial().specialRegisters());
        assertEquals(0xFFFF800000001000L, c.initial().msrs().get(CpuState.LSTAR));
        assertEquals(List.of(CpuState.TSC_AUX), c.end().refused());

        byte[] good = Files.readAllBytes(f);
        // an unknown major version: rewrite the version and the header CRC
        byte[] v2 = good.clone();
        ByteBuffer b = ByteBuffer.wrap(v2).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(8, (short) 2);
        CRC32C crc = new CRC32C();
        crc.update(v2, 0, 24);
        b.putInt(24, (int) crc.getValue());
        Files.write(f, v2);
        assertEquals(Problem.UNSUPPORTED, assertThrows(SnapshotFormatException.class, () -> SnapshotFiles.readCpu(f)).problem());

        Files.write(f, "hello, not a snapshot".getBytes(StandardCharsets.UTF_8));
        assertEquals(Problem.CORRUPT, assertThrows(SnapshotFormatException.class, () -> SnapshotFiles.readCpu(f)).problem());

        Files.write(f, java.util.Arrays.copyOf(good, 20));
        assertEquals(Problem.TRUNCATED, assertThrows(SnapshotFormatException.class, () -> SnapshotFiles.readCpu(f)).problem());

        byte[] longer = java.util.Arrays.copyOf(good, good.length + 1);
        Files.write(f, longer);
        assertEquals(Problem.CORRUPT, assertThrows(SnapshotFormatException.class, () -> SnapshotFiles.readCpu(f)).problem());

        assertEquals(Problem.MISSING, assertThrows(SnapshotFormatException.class,
                () -> SnapshotFiles.readCpu(dir.resolve("nope_cpu.bin"))).problem());
    }

    /** Issue 11 item 5: a snapshot may not hold what a verifier would narrow or ignore. */
    @Test
    void fieldsAVerifierWouldIgnoreAreCorrupt() throws Exception {
        Path f = dir.resolve("t_w1_cpu.bin");
        CpuState good = state(0);
        long[] r = good.registers().toArray();
        for (long rflags : new long[] {0x200, 0x202 | 1 << 3, 0x202 | 1 << 5, 0x202 | 1 << 15, 0x202 | 1L << 22, 0x202 | 1L << 63}) {
            r[17] = rflags;
            CpuState bad = new CpuState(0, pcm.core.api.cpu.Registers.fromArray(r), good.specialRegisters(), good.fpu(),
                    good.msrs(), good.refused(), null);
            SnapshotFiles.writeCpu(f, "w1", "soft", bad, state(9), null);
            SnapshotFormatException e = assertThrows(SnapshotFormatException.class, () -> SnapshotFiles.readCpu(f));
            assertEquals(Problem.CORRUPT, e.problem());
            assertTrue(e.getMessage().contains("RFLAGS"), e.getMessage());
        }
        for (int size : new int[] {416, 511, 513}) {
            CpuState bad = new CpuState(0, good.registers(), good.specialRegisters(), new byte[size], good.msrs(), good.refused(), null);
            SnapshotFiles.writeCpu(f, "w1", "soft", good, bad, null);
            assertTrue(assertThrows(SnapshotFormatException.class, () -> SnapshotFiles.readCpu(f)).getMessage().contains("FPU image"));
        }
        CpuState pending = new CpuState(0, good.registers(), good.specialRegisters(), good.fpu(), good.msrs(), good.refused(), new byte[4]);
        SnapshotFiles.writeCpu(f, "w1", "soft", good, pending, null);
        assertTrue(assertThrows(SnapshotFormatException.class, () -> SnapshotFiles.readCpu(f)).getMessage().contains("pending"));

        // bytes after the fields of a version this reader knows (1.1): re-sealed so that only the field check sees them
        SnapshotFiles.writeCpu(f, "w1", "soft", good, state(9), new SnapshotFiles.Binding(1, 2, 3));
        Files.write(f, resealed(Files.readAllBytes(f), new byte[] {0, 0, 0, 0}));
        SnapshotFormatException e = assertThrows(SnapshotFormatException.class, () -> SnapshotFiles.readCpu(f));
        assertTrue(e.getMessage().contains("4 bytes after the fields"), e.getMessage());
    }

    /** A memory file of version 1.1 (raw pages), as the sampler wrote them before pages were deflated, still reads. */
    @Test
    void version11MemoryFilesStillRead() throws Exception {
        byte[] page = new byte[4096];
        for (int i = 0; i < page.length; i++) page[i] = (byte) (i * 7);
        ByteBuffer body = ByteBuffer.allocate(2 + 2 + 1 + 8 + 4 + 4 + 16 + 8 + 8 + 4096).order(ByteOrder.LITTLE_ENDIAN);
        body.putShort((short) 2).put((byte) 'w').put((byte) '1').put((byte) SnapshotFiles.INITIAL).putLong(16 * 4096).putInt(4096)
                .putInt(1).putLong(0).putLong(16 * 4096).putLong(1).putLong(3).put(page);
        ByteBuffer file = ByteBuffer.allocate(SnapshotFiles.HEADER + body.capacity() + 4).order(ByteOrder.LITTLE_ENDIAN);
        file.put(SnapshotFiles.MAGIC).putShort((short) 1).putShort((short) 1).putInt(SnapshotFiles.TYPE_MEMORY).putLong(body.capacity());
        java.util.zip.CRC32C c = new java.util.zip.CRC32C();
        c.update(file.array(), 0, 24);
        file.putInt((int) c.getValue()).put(body.array());
        c.reset();
        c.update(body.array());
        file.putInt((int) c.getValue());
        Path f = dir.resolve("t_w1_mem-initial.bin");
        Files.write(f, file.array());
        PageImage back = SnapshotFiles.readMemory(f, null).image();
        byte[] got = new byte[4096];
        back.read(3 * 4096, got, 0, 4096);
        assertArrayEquals(page, got);
        assertEquals(1, back.ownPages().size());

        // a 1.2 page whose deflated stream has a stray byte after its one page is corrupt
        HeapMemory m = new HeapMemory(16 * 4096);
        m.writeLong(5 * 4096, 0x1122334455667788L);
        SnapshotFiles.writeMemory(f, "w1", SnapshotFiles.INITIAL, List.of(new PageImage.Region(0, 16 * 4096)),
                new HeapMemory.Provider().snapshot(m), (n, p) -> !PageImage.isZero(p));
        assertEquals(0x1122334455667788L, ByteBuffer.wrap(pageOf(SnapshotFiles.readMemory(f, null).image(), 5)).order(ByteOrder.LITTLE_ENDIAN).getLong());
        byte[] mutated = Files.readAllBytes(f);
        int storedAt = SnapshotFiles.HEADER + 45 + 8; // id "w1", role, size, page size, 1 region, count; then the page number
        ByteBuffer mb = ByteBuffer.wrap(mutated).order(ByteOrder.LITTLE_ENDIAN);
        mb.putInt(storedAt, mb.getInt(storedAt) + 1);
        Files.write(f, resealed(mutated, new byte[] {0}));
        SnapshotFormatException e = assertThrows(SnapshotFormatException.class, () -> SnapshotFiles.readMemory(f, null));
        assertEquals(Problem.CORRUPT, e.problem());
        assertTrue(e.getMessage().contains("stray"), e.getMessage());
    }

    private static byte[] pageOf(PageImage image, long n) {
        byte[] p = new byte[4096];
        image.read(n << 12, p, 0, 4096);
        return p;
    }

    /** The container with {@code extra} appended to its body, lengths and CRCs recomputed. */
    private static byte[] resealed(byte[] file, byte[] extra) {
        ByteBuffer in = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        int body = (int) in.getLong(16);
        ByteBuffer out = ByteBuffer.allocate(file.length + extra.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(file, 0, SnapshotFiles.HEADER + body).put(extra);
        out.putLong(16, body + extra.length);
        CRC32C c = new CRC32C();
        c.update(out.array(), 0, 24);
        out.putInt(24, (int) c.getValue());
        c.reset();
        c.update(out.array(), SnapshotFiles.HEADER, body + extra.length);
        out.putInt((int) c.getValue());
        return out.array();
    }

    @Test
    void sparseMemoryKeepsOnlyTheSelectedPages() throws Exception {
        HeapMemory m = new HeapMemory(16 * 4096);
        m.writeLong(3 * 4096 + 8, 42);
        var image = new HeapMemory.Provider().snapshot(m);
        List<PageImage.Region> regions = List.of(new PageImage.Region(0, m.size()));
        Path f = dir.resolve("t_w1_mem-initial.bin");
        SnapshotFiles.writeMemory(f, "w1", SnapshotFiles.INITIAL, regions, image, (n, p) -> !PageImage.isZero(p));
        // one page, deflated (1.2): far less than its 4096 bytes
        assertTrue(Files.size(f) < SnapshotFiles.HEADER + 4 + 2 + 2 + 1 + 8 + 4 + 4 + 16 + 8 + (8 + 4 + 100), "size " + Files.size(f));
        PageImage back = SnapshotFiles.readMemory(f, null).image();
        assertEquals(1, back.ownPages().size());
        assertEquals(m.size(), back.size());
        for (long n = 0; n < 16; n++) assertEquals(image.pageHash(n), back.pageHash(n), "page " + n);
        assertThrows(IllegalArgumentException.class, () -> back.read(m.size(), new byte[1], 0, 1));
    }

    @Test
    void xxh64KnownValues() {
        assertEquals(0xEF46DB3751D8E999L, Xxh64.hash(new byte[0], 0, 0));
        assertEquals(0x44BC2CF5AD770999L, Xxh64.hash("abc".getBytes(StandardCharsets.US_ASCII), 0, 3));
        byte[] s = "Nobody inspects the spammish repetition".getBytes(StandardCharsets.US_ASCII);
        assertEquals(0xFBCEA83C8A378BF1L, Xxh64.hash(s, 0, s.length));
    }
}
