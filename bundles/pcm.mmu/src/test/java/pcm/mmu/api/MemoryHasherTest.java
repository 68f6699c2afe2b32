package pcm.mmu.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import pcm.core.api.memory.GuestMemoryException;
import pcm.core.api.memory.GuestMemoryProvider.AllocatedMemory;
import pcm.core.api.memory.GuestMemoryProvider.RegionSpec;
import pcm.mmu.internal.MmapGuestMemoryProvider;

class MemoryHasherTest {

    private static long xxh64(String s) {
        return MemoryHasher.hash(MemorySegment.ofArray(s.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void publishedXxh64Vectors() {
        assertEquals(0xEF46DB3751D8E999L, xxh64(""));
        assertEquals(0xD24EC4F1A98C6E5BL, xxh64("a"));
        assertEquals(0x44BC2CF5AD770999L, xxh64("abc"));
        // 39 bytes: the 32-byte stripe loop, an 4-byte and 3 single-byte tails
        assertEquals(0xFBCEA83C8A378BF1L, xxh64("Nobody inspects the spammish repetition"));
    }

    @Test
    void hashDependsOnSeedAndEveryByte() {
        MemorySegment data = MemorySegment.ofArray(new byte[4096]);
        long h = MemoryHasher.hash(data);
        assertNotEquals(h, MemoryHasher.hash(data, 1));
        for (int i = 0; i < 4096; i += 37) {
            data.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) 1);
            assertNotEquals(h, MemoryHasher.hash(data), "byte " + i);
            data.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) 0);
        }
        assertEquals(h, MemoryHasher.hash(data));
    }

    @Test
    void touchingOnePageChangesExactlyItsHash() {
        try (AllocatedMemory m = new MmapGuestMemoryProvider().allocate(
                List.of(new RegionSpec(0, 64 * 4096), new RegionSpec(1L << 32, 16 * 4096)))) {
            long[] before = MemoryHasher.pageHashes(m.regions().get(0));
            long whole = MemoryHasher.memoryHash(m);
            m.writeByte(5 * 4096 + 4095, (byte) 0x5A);
            long[] after = MemoryHasher.pageHashes(m.regions().get(0));
            for (int i = 0; i < before.length; i++) {
                if (i == 5) {
                    assertNotEquals(before[i], after[i]);
                } else {
                    assertEquals(before[i], after[i], "page " + i);
                }
            }
            assertEquals(after[5], MemoryHasher.pageHash(m, 5 * 4096));
            assertEquals(before[0], MemoryHasher.pageHash(m, 1L << 32), "position independent");
            assertNotEquals(whole, MemoryHasher.memoryHash(m));
            m.writeByte(5 * 4096 + 4095, (byte) 0);
            assertEquals(whole, MemoryHasher.memoryHash(m));
            assertThrows(GuestMemoryException.class, () -> MemoryHasher.pageHash(m, 64 * 4096));
            assertThrows(GuestMemoryException.class, () -> MemoryHasher.pageHash(m, 8));
        }
    }

    @Test
    void layoutIsPartOfTheMemoryHash() {
        MmapGuestMemoryProvider p = new MmapGuestMemoryProvider();
        try (AllocatedMemory a = p.allocate(List.of(new RegionSpec(0, 8192)));
             AllocatedMemory b = p.allocate(List.of(new RegionSpec(4096, 8192)))) {
            assertNotEquals(MemoryHasher.memoryHash(a), MemoryHasher.memoryHash(b));
        }
    }
}
