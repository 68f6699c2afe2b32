package pcm.mmu.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.function.LongConsumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import pcm.core.api.memory.GuestMemory;
import pcm.core.api.memory.GuestMemory.MemoryRegion;
import pcm.core.api.memory.GuestMemoryException;
import pcm.core.api.memory.GuestMemoryProvider.AllocatedMemory;
import pcm.core.api.memory.GuestMemoryProvider.RegionSpec;

class MmapGuestMemoryProviderTest {

    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    private final MmapGuestMemoryProvider provider = new MmapGuestMemoryProvider();
    /** 1 MiB at 0 and 2 MiB at 4 GiB (the usual hole below 4 GiB, scaled down). */
    private AllocatedMemory memory;

    @BeforeEach
    void allocate() {
        memory = provider.allocate(List.of(new RegionSpec(4 * GIB, 2 * MIB), new RegionSpec(0, MIB)));
    }

    @AfterEach
    void close() {
        memory.close();
    }

    /** One access of {@code size} bytes through each accessor. */
    record Accessor(String name, int size, AccessCall call) {
        @Override
        public String toString() { return name; }
    }

    interface AccessCall {
        void access(GuestMemory m, long gpa);
    }

    static Stream<Accessor> accessors() {
        return Stream.of(
                new Accessor("readByte", 1, GuestMemory::readByte),
                new Accessor("readInt", 4, GuestMemory::readInt),
                new Accessor("readLong", 8, GuestMemory::readLong),
                new Accessor("writeByte", 1, (m, a) -> m.writeByte(a, (byte) 1)),
                new Accessor("writeInt", 4, (m, a) -> m.writeInt(a, 1)),
                new Accessor("writeLong", 8, (m, a) -> m.writeLong(a, 1)),
                new Accessor("read[16]", 16, (m, a) -> m.read(a, new byte[16], 0, 16)),
                new Accessor("write[16]", 16, (m, a) -> m.write(a, new byte[16], 0, 16)),
                new Accessor("slice16", 16, (m, a) -> m.slice(a, 16)));
    }

    static Stream<Arguments> accessorsAndBadAddresses() {
        return accessors().flatMap(acc -> Stream.of(
                Arguments.of(acc, MIB - acc.size() + 1, acc.size() > 1 ? "straddles" : "not guest RAM"),   // straddles the end of region 0
                Arguments.of(acc, MIB, "not guest RAM"),                  // just past region 0
                Arguments.of(acc, 4 * GIB - 1, "not guest RAM"),          // straddles into region 1 from the hole
                Arguments.of(acc, 4 * GIB + 2 * MIB - acc.size() + 1, acc.size() > 1 ? "straddles" : "not guest RAM"),
                Arguments.of(acc, 4 * GIB + 2 * MIB, "not guest RAM"),
                Arguments.of(acc, -1L, "not guest RAM"),
                Arguments.of(acc, Long.MIN_VALUE, "not guest RAM"),
                Arguments.of(acc, Long.MAX_VALUE, "not guest RAM")));
    }

    @ParameterizedTest(name = "{0} at 0x{1}")
    @MethodSource("accessors")
    void everyAccessorWorksAtRegionStartAndEnd(Accessor acc) {
        for (long gpa : new long[] {0, MIB - acc.size(), 4 * GIB, 4 * GIB + 2 * MIB - acc.size()}) {
            acc.call().access(memory, gpa);
        }
    }

    @ParameterizedTest(name = "{0} at {1}")
    @MethodSource("accessorsAndBadAddresses")
    void everyAccessorRejectsAddressesOutsideRam(Accessor acc, long gpa, String why) {
        GuestMemoryException e = assertThrows(GuestMemoryException.class, () -> acc.call().access(memory, gpa));
        assertEquals(gpa, e.address());
        assertEquals(acc.size(), e.length());
        assertTrue(e.getMessage().contains("0x" + Long.toHexString(gpa)), e.getMessage());
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }

    @Test
    void badAccessesDoNotWriteAnything() {
        assertThrows(GuestMemoryException.class, () -> memory.writeLong(MIB - 4, -1L));
        assertEquals(0, memory.readInt(MIB - 4));
    }

    @Test
    void negativeLengthsAreRejected() {
        assertThrows(IndexOutOfBoundsException.class, () -> memory.read(0, new byte[4], 0, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> memory.write(0, new byte[4], 2, 4));
        assertThrows(GuestMemoryException.class, () -> memory.slice(0, -1));
        assertFalse(memory.isRam(0, -1));
    }

    @Test
    void memoryIsZeroedAndLittleEndian() {
        assertEquals(0, memory.readLong(4 * GIB + 12345));
        memory.writeLong(4 * GIB + 3, 0x1122334455667788L);
        assertEquals((byte) 0x88, memory.readByte(4 * GIB + 3));
        assertEquals(0x55667788, memory.readInt(4 * GIB + 3));
        assertEquals(0x11223344, memory.readInt(4 * GIB + 7));
        byte[] bytes = new byte[8];
        memory.read(4 * GIB + 3, bytes, 0, 8);
        assertArrayEquals(new byte[] {(byte) 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11}, bytes);
        memory.write(17, bytes, 2, 3);
        assertEquals(0x445566, memory.readInt(17));
    }

    @Test
    void regionsAreSortedSlottedAndBackedByHostMemory() {
        List<MemoryRegion> regions = memory.regions();
        assertEquals(2, regions.size());
        assertEquals(new RegionSpec(0, MIB), new RegionSpec(regions.get(0).gpa(), regions.get(0).size()));
        assertEquals(0, regions.get(0).slot());
        assertEquals(1, regions.get(1).slot());
        assertEquals(4 * GIB, regions.get(1).gpa());
        assertEquals(3 * MIB, memory.size());
        for (MemoryRegion r : regions) {
            assertTrue(r.host().isNative());
            assertEquals(0, r.host().address() % 4096);
            assertEquals(r.size(), r.host().byteSize());
        }
        memory.writeInt(4 * GIB + 8, 42);
        assertEquals(42, regions.get(1).host().get(ValueLayout.JAVA_INT, 8));
        assertTrue(memory.isRam(4 * GIB, 2 * MIB));
        assertFalse(memory.isRam(MIB - 1, 2));
        assertFalse(memory.isRam(2 * MIB, 1));
    }

    @Test
    void sliceIsBoundedToItsRange() {
        MemorySegment s = memory.slice(4 * GIB + 4096, 4096);
        assertEquals(4096, s.byteSize());
        s.set(ValueLayout.JAVA_BYTE, 0, (byte) 7);
        assertEquals(7, memory.readByte(4 * GIB + 4096));
        assertThrows(IndexOutOfBoundsException.class, () -> s.get(ValueLayout.JAVA_BYTE, 4096));
    }

    @Test
    void invalidLayoutsAreRejectedNamingTheRegions() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> provider.allocate(List.of(new RegionSpec(0, 8192), new RegionSpec(4096, 8192))));
        assertTrue(e.getMessage().contains("[0x1000, 0x3000) overlaps region [0x0, 0x2000)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> provider.allocate(List.of(new RegionSpec(0x800, 4096))));
        assertTrue(e.getMessage().contains("[0x800, 0x1800) is not 4 KiB page aligned"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> provider.allocate(List.of(new RegionSpec(0, 100))));
        assertThrows(IllegalArgumentException.class, () -> provider.allocate(List.of(new RegionSpec(0, 0))));
        assertThrows(IllegalArgumentException.class, () -> provider.allocate(List.of(new RegionSpec(-4096, 4096))));
        assertThrows(IllegalArgumentException.class, () -> provider.allocate(List.of()));
        assertThrows(IllegalArgumentException.class, () -> provider.allocate(List.of(new RegionSpec(1L << 52, 4096))));
    }

    @Test
    void adjacentRegionsAreFineButAccessesDoNotCrossThem() {
        try (AllocatedMemory m = provider.allocate(List.of(new RegionSpec(0, 4096), new RegionSpec(4096, 4096)))) {
            m.writeLong(4088, 1);
            m.writeLong(4096, 2);
            assertThrows(GuestMemoryException.class, () -> m.readLong(4092));
        }
    }

    @Test
    void failingMmapReportsErrno() {
        // 2^51 bytes of address space is more than a 47-bit user address space holds.
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> provider.allocate(List.of(new RegionSpec(0, 1L << 51))));
        assertTrue(e.getMessage().contains("mmap of " + (1L << 51) + " bytes failed: errno 12"), e.getMessage());
    }

    @Test
    void accessesAfterCloseFailTypedAndCloseIsIdempotent() {
        MemorySegment host = memory.regions().get(0).host();
        MemorySegment slice = memory.slice(0, 64);
        memory.close();
        memory.close();
        for (Accessor acc : accessors().toList()) {
            GuestMemoryException e = assertThrows(GuestMemoryException.class, () -> acc.call().access(memory, 64));
            assertTrue(e.getMessage().contains("closed"), acc + ": " + e.getMessage());
            assertEquals(64, e.address());
        }
        assertThrows(IllegalStateException.class, () -> host.get(ValueLayout.JAVA_LONG, 0));
        assertThrows(IllegalStateException.class, () -> slice.get(ValueLayout.JAVA_LONG, 0));
    }

    @Test
    void concurrentAccessesDuringCloseNeverCrash() throws Exception {
        AllocatedMemory m = provider.allocate(List.of(new RegionSpec(0, MIB)));
        int threads = 4;
        Thread[] workers = new Thread[threads];
        long[] failures = new long[threads];
        for (int t = 0; t < threads; t++) {
            int id = t;
            LongConsumer loop = ignored -> {
                for (long i = 0; ; i++) {
                    try {
                        m.writeLong((i * 64) % MIB, i);
                        m.readLong((i * 64 + 8) % MIB);
                    } catch (GuestMemoryException e) {
                        failures[id]++;
                        return;
                    }
                }
            };
            workers[t] = new Thread(() -> loop.accept(0));
            workers[t].start();
        }
        Thread.sleep(50);
        m.close();
        for (Thread w : workers) {
            w.join(10_000);
            assertFalse(w.isAlive());
        }
        for (long f : failures) {
            assertEquals(1, f);
        }
    }
}
