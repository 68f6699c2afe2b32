package pcm.core.api.memory;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * XXH64, the one hash PCM uses for guest pages: {@code MemoryImage.pageHash} of every producer
 * (memory copies, window snapshot files) is XXH64 with seed 0 of the 4 KiB page, so images made
 * by different bundles compare. Checked against the published XXH64 test vectors (pcm.mmu tests).
 */
public final class Xxh64 {

    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final long P1 = 0x9E3779B185EBCA87L;
    private static final long P2 = 0xC2B2AE3D27D4EB4FL;
    private static final long P3 = 0x165667B19E3779F9L;
    private static final long P4 = 0x85EBCA77C2B2AE63L;
    private static final long P5 = 0x27D4EB2F165667C5L;

    private Xxh64() {}

    /** XXH64 (seed 0) of {@code length} bytes of {@code bytes} from {@code offset}. */
    public static long hash(byte[] bytes, int offset, int length) {
        return hash(MemorySegment.ofArray(bytes).asSlice(offset, length), 0);
    }

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
}
