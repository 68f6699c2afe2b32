package pcm.mmu.api;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;

import pcm.core.api.memory.GuestMemory;
import pcm.core.api.memory.GuestMemory.MemoryRegion;
import pcm.core.api.memory.GuestMemoryException;

/**
 * 64-bit hashes of guest memory: XXH64 (xxHash, 64-bit variant, Yann Collet; specification
 * {@code doc/xxhash_spec.md} of github.com/Cyan4973/xxHash), computed over {@link MemorySegment}s.
 *
 * <p>Why embedded and not {@code net.openhft:zero-allocation-hashing}: the library hashes
 * {@code byte[]}/{@code ByteBuffer}/raw addresses through {@code sun.misc.Unsafe}, which is being
 * removed from the JDK and would need a host address instead of a bounds-checked segment, and it is
 * not an OSGi bundle. XXH64 is ~100 lines, has published test vectors (checked by the unit tests),
 * and runs at memory speed with four independent lanes over 8-byte little-endian words.
 *
 * <p>Not cryptographic: it detects corruption and divergence, not an adversary crafting collisions.
 */
public final class MemoryHasher {

    public static final long PAGE_SIZE = 4096;

    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static final long P1 = 0x9E3779B185EBCA87L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;
    private static final long P3 = 0x165667B19E3779F9L;
    private static final long P4 = 0x85EBCA77C2B2AE63L;
    private static final long P5 = 0x27D4EB2F165667C5L;

    private MemoryHasher() {}

    /** XXH64 of the bytes of {@code data} with seed 0. */
    public static long hash(MemorySegment data) {
        return hash(data, 0);
    }

    /** XXH64 of the bytes of {@code data} with {@code seed}. */
    public static long hash(MemorySegment data, long seed) {
        long length = data.byteSize();
        long offset = 0;
        long h;
        if (length >= 32) {
            long v1 = seed + P1 + P2;
            long v2 = seed + P2;
            long v3 = seed;
            long v4 = seed - P1;
            long limit = length - 32;
            do {
                v1 = round(v1, data.get(LONG, offset));
                v2 = round(v2, data.get(LONG, offset + 8));
                v3 = round(v3, data.get(LONG, offset + 16));
                v4 = round(v4, data.get(LONG, offset + 24));
                offset += 32;
            } while (offset <= limit);
            h = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7) + Long.rotateLeft(v3, 12) + Long.rotateLeft(v4, 18);
            h = merge(h, v1);
            h = merge(h, v2);
            h = merge(h, v3);
            h = merge(h, v4);
        } else {
            h = seed + P5;
        }
        h += length;
        while (offset + 8 <= length) {
            h ^= round(0, data.get(LONG, offset));
            h = Long.rotateLeft(h, 27) * P1 + P4;
            offset += 8;
        }
        if (offset + 4 <= length) {
            h ^= (data.get(INT, offset) & 0xFFFFFFFFL) * P1;
            h = Long.rotateLeft(h, 23) * P2 + P3;
            offset += 4;
        }
        while (offset < length) {
            h ^= (data.get(ValueLayout.JAVA_BYTE, offset) & 0xFFL) * P5;
            h = Long.rotateLeft(h, 11) * P1;
            offset++;
        }
        h ^= h >>> 33;
        h *= P2;
        h ^= h >>> 29;
        h *= P3;
        h ^= h >>> 32;
        return h;
    }

    private static long round(long acc, long input) {
        return Long.rotateLeft(acc + input * P2, 31) * P1;
    }

    private static long merge(long acc, long v) {
        return (acc ^ round(0, v)) * P1 + P4;
    }

    /**
     * XXH64 (seed 0) of the 4 KiB page at {@code pageGpa}. Equal contents give equal hashes
     * wherever the page is, so images are compared page number by page number.
     *
     * @throws GuestMemoryException if the page is not aligned or not RAM
     */
    public static long pageHash(GuestMemory memory, long pageGpa) {
        if ((pageGpa & (PAGE_SIZE - 1)) != 0) {
            throw new GuestMemoryException(pageGpa, PAGE_SIZE, "page hash needs a 4 KiB aligned address");
        }
        return hash(memory.slice(pageGpa, PAGE_SIZE));
    }

    /** Hashes of every 4 KiB page of a region, index = page number within the region. */
    public static long[] pageHashes(MemoryRegion region) {
        long[] hashes = new long[Math.toIntExact(region.size() / PAGE_SIZE)];
        MemorySegment host = region.host();
        for (int i = 0; i < hashes.length; i++) {
            hashes[i] = hash(host.asSlice(i * PAGE_SIZE, PAGE_SIZE));
        }
        return hashes;
    }

    /** {@link #memoryHash(List)} of all of {@code memory}. */
    public static long memoryHash(GuestMemory memory) {
        return memoryHash(memory.regions());
    }

    /**
     * One hash of regions in address order: {@code h = 0}; for each region
     * {@code h = XXH64(region bytes, seed = h ^ gpa ^ rotl(size, 32))} — so layout changes change it
     * as well as contents.
     */
    public static long memoryHash(List<MemoryRegion> regions) {
        long h = 0;
        for (MemoryRegion region : regions) {
            h = hash(region.host(), h ^ region.gpa() ^ Long.rotateLeft(region.size(), 32));
        }
        return h;
    }
}
