package pcm.mmu.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.Arena;
import java.lang.foreign.ValueLayout;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import pcm.core.api.memory.GuestMemoryException;
import pcm.core.api.memory.GuestMemoryProvider.AllocatedMemory;
import pcm.core.api.memory.GuestMemoryProvider.RegionSpec;
import pcm.mmu.api.MemoryCopy.PageDifference;
import pcm.mmu.internal.MmapGuestMemoryProvider;

class MemoryCopyTest {

    private static final long HI = 1L << 32;
    private final MmapGuestMemoryProvider provider = new MmapGuestMemoryProvider();
    private AllocatedMemory memory;

    @BeforeEach
    void setUp() {
        memory = provider.allocate(List.of(new RegionSpec(0, 1 << 20), new RegionSpec(HI, 1 << 20)));
        for (long a = 0; a < (1 << 20); a += 512) {
            memory.writeLong(a, a * 31);
            memory.writeLong(HI + a, ~a);
        }
    }

    @AfterEach
    void tearDown() {
        memory.close();
    }

    @Test
    void heapCopyComparesEqualThenListsDifferingPages() {
        MemoryCopy copy = MemoryCopy.of(memory);
        assertEquals(memory.size(), copy.size());
        assertEquals(List.of(), copy.compare(memory));
        assertEquals(MemoryHasher.memoryHash(memory), copy.memoryHash());

        memory.writeByte(0x3007, (byte) 0x77);
        memory.writeInt(0x3100, 1);
        memory.writeByte(HI + 0xFFFFF, (byte) 1);
        assertEquals(List.of(new PageDifference(0x3000, 0x3007), new PageDifference(HI + 0xFF000, HI + 0xFFFFF)),
                copy.compare(memory));
        assertEquals(1, copy.compare(memory.regions(), 1).size());
    }

    @Test
    void offHeapCopyRestoreAndRefresh() {
        try (Arena arena = Arena.ofConfined()) {
            MemoryCopy copy = MemoryCopy.of(memory, arena);
            MemoryCopy heap = MemoryCopy.of(memory);
            assertEquals(List.of(), copy.compare(heap));

            memory.writeLong(HI + 0x2000, 42);
            copy.refreshPage(memory, HI + 0x2000);
            assertEquals(List.of(new PageDifference(HI + 0x2000, HI + 0x2000)), heap.compare(copy));
            assertEquals(MemoryHasher.pageHash(memory, HI + 0x2000), copy.pageHash((HI + 0x2000) >>> 12));

            heap.restoreTo(memory);
            assertEquals(0L, memory.readLong(HI + 0x2000) ^ ~0x2000L);
            assertEquals(List.of(), heap.compare(memory));
            copy.refresh(memory);
            assertEquals(List.of(), copy.compare(memory));
        }
    }

    @Test
    void memoryImageView() {
        MemoryCopy copy = MemoryCopy.of(memory);
        memory.writeLong(512, 0);
        byte[] bytes = new byte[8];
        copy.read(512, bytes, 0, 8);
        assertArrayEquals(new byte[] {0, 62, 0, 0, 0, 0, 0, 0}, bytes); // 512 * 31 = 0x3E00
        GuestMemoryException e = assertThrows(GuestMemoryException.class, () -> copy.read((1 << 20) - 4, bytes, 0, 8));
        assertEquals((1 << 20) - 4, e.address());
        assertThrows(GuestMemoryException.class, () -> copy.pageHash(256));
        assertEquals(copy.pageHash(HI >>> 12), MemoryHasher.pageHash(memory, HI));
        assertThrows(IllegalArgumentException.class, // read-only segment
                () -> copy.regions().get(0).host().set(ValueLayout.JAVA_BYTE, 0, (byte) 1));
    }

    @Test
    void differentLayoutsAreRejected() {
        MemoryCopy copy = MemoryCopy.of(memory);
        try (AllocatedMemory other = provider.allocate(List.of(new RegionSpec(0, 1 << 20)))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> copy.compare(other));
            assertEquals("memory layouts differ: copy [0x0, 0x100000)[0x100000000, 0x100100000), other [0x0, 0x100000)",
                    e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> copy.restoreTo(other));
        }
    }
}
