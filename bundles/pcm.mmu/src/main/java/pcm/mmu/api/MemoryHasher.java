package pcm.mmu.api;

import java.lang.foreign.MemorySegment;
import java.util.List;

import pcm.core.api.memory.GuestMemory;
import pcm.core.api.memory.Xxh64;
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



    private MemoryHasher() {}

    /** XXH64 of the bytes of {@code data} with seed 0. */
    public static long hash(MemorySegment data) {
        return Xxh64.hash(data, 0);
    }

    /** XXH64 of the bytes of {@code data} with {@code seed}. */
    public static long hash(MemorySegment data, long seed) {
        return Xxh64.hash(data, seed);
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
