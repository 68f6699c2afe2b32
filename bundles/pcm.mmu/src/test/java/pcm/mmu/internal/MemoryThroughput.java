package pcm.mmu.internal;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;

import pcm.core.api.memory.GuestMemoryProvider.AllocatedMemory;
import pcm.core.api.memory.GuestMemoryProvider.RegionSpec;
import pcm.mmu.api.MemoryHasher;

/**
 * A rough throughput note, not a test and not a benchmark of record (the JMH module is for that):
 * {@code readLong} through the bounds-checked API against a raw segment read in the same run, and
 * XXH64 hashing speed. Run: {@code java --enable-native-access=ALL-UNNAMED -cp ... pcm.mmu.internal.MemoryThroughput}
 */
public final class MemoryThroughput {

    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public static void main(String[] args) {
        long size = 256L << 20;
        try (AllocatedMemory m = new MmapGuestMemoryProvider().allocate(
                List.of(new RegionSpec(0, 1L << 20), new RegionSpec(1L << 32, size)))) {
            long base = 1L << 32;
            MemorySegment raw = m.regions().get(1).host();
            for (long a = 0; a < size; a += 4096) {
                m.writeLong(base + a, a);
            }
            long sink = 0;
            for (int round = 0; round < 12; round++) {
                long t0 = System.nanoTime();
                for (long a = 0; a < size; a += 8) {
                    sink += m.readLong(base + a);
                }
                long t1 = System.nanoTime();
                for (long a = 0; a < size; a += 8) {
                    sink += raw.get(LONG, a);
                }
                long t2 = System.nanoTime();
                long h = MemoryHasher.hash(raw);
                long t3 = System.nanoTime();
                sink += h;
                long n = size / 8;
                System.out.printf("readLong %.2f ns/op (%.0f M/s), raw segment %.2f ns/op, ratio %.2f; "
                                + "XXH64 %.2f GB/s%n",
                        (t1 - t0) / (double) n, n * 1e3 / (t1 - t0), (t2 - t1) / (double) n,
                        (t1 - t0) / (double) (t2 - t1), size / (double) (t3 - t2));
            }
            System.out.println("sink " + sink);
        }
    }
}
