package pcm.core.internal.sampling;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** XXH64 (seed 0) of 4 KiB pages, the page hash {@code GuestMemoryProvider.snapshot} images use. */
final class Xxh64 {

    private static final long P1 = 0x9E3779B185EBCA87L, P2 = 0xC2B2AE3D27D4EB4FL, P3 = 0x165667B19E3779F9L,
            P4 = 0x85EBCA77C2B2AE63L, P5 = 0x27D4EB2F165667C5L;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private Xxh64() {}

    static long hash(byte[] b, int off, int len) {
        return hash(MemorySegment.ofArray(b).asSlice(off, len));
    }

    static long hash(MemorySegment s) {
        long len = s.byteSize();
        long p = 0;
        long h;
        if (len >= 32) {
            long v1 = P1 + P2, v2 = P2, v3 = 0, v4 = -P1;
            for (; p + 32 <= len; p += 32) {
                v1 = round(v1, s.get(LONG, p));
                v2 = round(v2, s.get(LONG, p + 8));
                v3 = round(v3, s.get(LONG, p + 16));
                v4 = round(v4, s.get(LONG, p + 24));
            }
            h = Long.rotateLeft(v1, 1) + Long.rotateLeft(v2, 7) + Long.rotateLeft(v3, 12) + Long.rotateLeft(v4, 18);
            h = merge(h, v1);
            h = merge(h, v2);
            h = merge(h, v3);
            h = merge(h, v4);
        } else {
            h = P5;
        }
        h += len;
        for (; p + 8 <= len; p += 8) {
            h ^= round(0, s.get(LONG, p));
            h = Long.rotateLeft(h, 27) * P1 + P4;
        }
        if (p + 4 <= len) {
            h ^= (s.get(INT, p) & 0xFFFFFFFFL) * P1;
            h = Long.rotateLeft(h, 23) * P2 + P3;
            p += 4;
        }
        for (; p < len; p++) {
            h ^= (s.get(ValueLayout.JAVA_BYTE, p) & 0xFFL) * P5;
            h = Long.rotateLeft(h, 11) * P1;
        }
        h ^= h >>> 33;
        h *= P2;
        h ^= h >>> 29;
        h *= P3;
        h ^= h >>> 32;
        return h;
    }

    private static long round(long acc, long input) {
        acc += input * P2;
        acc = Long.rotateLeft(acc, 31);
        return acc * P1;
    }

    private static long merge(long acc, long v) {
        acc ^= round(0, v);
        return acc * P1 + P4;
    }
}
