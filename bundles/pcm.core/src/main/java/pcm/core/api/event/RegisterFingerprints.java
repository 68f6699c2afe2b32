package pcm.core.api.event;

import java.io.ByteArrayOutputStream;

import pcm.core.api.cpu.Registers;

/**
 * The payload of {@link EventKind#FINGERPRINTS} events: one byte per instruction that stands for the recording
 * vCPU's registers after it. A full register CHECKPOINT costs ~70–200 bytes of log; a fingerprint one. With a
 * checkpoint every N instructions and a fingerprint after every one, a verifier still finds the first instruction
 * after which its registers differ from the recording's — as exactly as with a checkpoint after every instruction,
 * except that one differing instruction in 255 has an equal fingerprint by chance (the next ones that still differ
 * are caught, each with that chance). A fault the guest overwrites within one instruction is therefore missed with
 * probability 1/255, one that lives k instructions with 255^-k.
 * <p>
 * The fingerprint covers the same bits a checkpoint compares ({@link RegisterCheckpoints#differences}): the 16
 * general registers, RIP and the RFLAGS bits of {@link RegisterCheckpoints#COMPARED_RFLAGS}. It is never 0: 0 in the
 * data marks a position where nothing was recorded (an interrupt was injected there, as for checkpoints).
 * {@code position} is the first position covered, {@code value} the number of positions (= data length).
 *
 * @since 1.2
 */
public final class RegisterFingerprints {

    private RegisterFingerprints() { }

    /** Fingerprints in one event at most (a record of ~4 KiB). */
    public static final int PER_EVENT = 4096;

    /** The fingerprint of {@code r}: 1..255. */
    public static int of(Registers r) {
        long[] a = r.toArray();
        a[17] &= RegisterCheckpoints.COMPARED_RFLAGS;
        long h = 0x9E3779B97F4A7C15L;
        for (long v : a) {
            h ^= v;
            h *= 0xBF58476D1CE4E5B9L;
            h ^= h >>> 31;
        }
        h ^= h >>> 32;
        h ^= h >>> 16;
        h ^= h >>> 8;
        int f = (int) (h & 0xFF);
        return f == 0 ? 1 : f;
    }

    /** Collects the fingerprints of a window as a recorder logs them; not thread-safe. */
    public static final class Collector {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        private long first = -1;

        /**
         * The registers after {@code position} instructions. Positions must ascend; a gap is filled with 0 (not
         * recorded); a position already recorded is ignored.
         */
        public void add(long position, Registers r) {
            if (first < 0) first = position;
            long next = first + bytes.size();
            if (position < next) return;
            for (; next < position; next++) bytes.write(0);
            bytes.write(of(r));
        }

        /** Whether a full event's worth is pending. */
        public boolean full() {
            return bytes.size() >= PER_EVENT;
        }

        /** The pending fingerprints as one event (null if there are none); the collector continues after them. */
        public PcmEvent drain(int vcpu, long timestampNanos) {
            if (bytes.size() == 0) return null;
            byte[] d = bytes.toByteArray();
            PcmEvent e = new PcmEvent(EventKind.FINGERPRINTS, vcpu, first, 0, 0, 0, d.length, d, timestampNanos);
            first += d.length;
            bytes.reset();
            return e;
        }
    }
}
