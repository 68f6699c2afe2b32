package pcm.core.api.event;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import pcm.core.api.cpu.Registers;

/**
 * The payload of {@link EventKind#CHECKPOINT} events. A recorder logs the registers it has after
 * {@code position} instructions as a delta against its previous checkpoint (the first: against the window's
 * initial snapshot): {@code address} is a bit mask over {@link Registers#toArray()} indices (bit 16 RIP, bit
 * 17 RFLAGS), {@code data} the new values of the set bits as little-endian u64 in index order. One step
 * usually changes RIP and one or two registers, so a checkpoint costs ~16–24 bytes of payload.
 * <p>
 * Verifiers rebuild the recorded registers with {@link #apply} and compare with {@link #differences}, which
 * ignores the RFLAGS bits an instruction may leave undefined (the arithmetic flags) and RF: they are compared
 * in the final snapshot instead, where every implementation has settled them.
 */
public final class RegisterCheckpoints {

    private RegisterCheckpoints() { }

    /** RFLAGS bits compared at a checkpoint: TF, IF, DF, IOPL, NT, AC, VIF, VIP, ID (bit 1 is always 1). */
    public static final long COMPARED_RFLAGS = 0x3C7700L;

    /** The CHECKPOINT event for {@code now}, a delta against {@code previous}. */
    public static PcmEvent checkpoint(int vcpu, long position, Registers now, Registers previous, long timestampNanos) {
        long[] a = now.toArray(), b = previous.toArray();
        long mask = 0;
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i]) {
                mask |= 1L << i;
                n++;
            }
        }
        ByteBuffer d = ByteBuffer.allocate(8 * n).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < a.length; i++) {
            if ((mask & 1L << i) != 0) d.putLong(a[i]);
        }
        return new PcmEvent(EventKind.CHECKPOINT, vcpu, position, now.rip(), now.rcx(), mask, 0, d.array(), timestampNanos);
    }

    /**
     * The registers a CHECKPOINT event records, given those of the previous checkpoint.
     *
     * @throws IllegalArgumentException if the payload does not hold one value per mask bit
     */
    public static Registers apply(Registers previous, PcmEvent checkpoint) {
        long mask = checkpoint.address();
        byte[] data = checkpoint.data();
        if ((mask & ~((1L << 18) - 1)) != 0 || data.length != 8 * Long.bitCount(mask)) {
            throw new IllegalArgumentException("CHECKPOINT at position " + checkpoint.position() + ": mask 0x"
                    + Long.toHexString(mask) + " does not fit " + data.length + " bytes of values");
        }
        long[] a = previous.toArray();
        ByteBuffer d = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < a.length; i++) {
            if ((mask & 1L << i) != 0) a[i] = d.getLong();
        }
        return Registers.fromArray(a);
    }

    /** The differing registers as {@code "rax: replay 0x.. != recorded 0x.."}; empty if they agree. */
    public static List<String> differences(Registers replay, Registers recorded) {
        long[] a = replay.toArray(), b = recorded.toArray();
        List<String> out = new ArrayList<>();
        for (int i = 0; i < a.length; i++) {
            long x = a[i], y = b[i];
            if (i == 17) {
                x &= COMPARED_RFLAGS;
                y &= COMPARED_RFLAGS;
            }
            if (x != y) {
                out.add(Registers.NAMES[i] + ": replay 0x" + Long.toHexString(a[i]) + " != recorded 0x" + Long.toHexString(b[i]));
            }
        }
        return out;
    }

    /**
     * The event that XORs {@code mask} into register {@code index} when {@code position} instructions have retired (a
     * REG_WRITE whose data is the single byte 1): a fault injector flips bits at any position without knowing the
     * register's value there. Verifiers of log format 1.3 apply it; it is for windows built in memory, never logged.
     *
     * @since 1.2
     */
    public static PcmEvent registerXor(int vcpu, long position, int index, long mask) {
        if (index < 0 || index >= Registers.NAMES.length) {
            throw new IllegalArgumentException("no register index " + index);
        }
        return new PcmEvent(EventKind.REG_WRITE, vcpu, position, 0, 0, index, mask, new byte[] {1}, 0);
    }

    /** The register value after REG_WRITE {@code e} given the value before it (set, or XOR: {@link #registerXor}). */
    public static long written(PcmEvent e, long before) {
        return e.data().length == 1 && e.data()[0] == 1 ? before ^ e.value() : e.value();
    }

    /** The event that sets register {@code index} ({@link Registers#toArray()} order) to {@code value} at {@code position}. */
    public static PcmEvent registerWrite(int vcpu, long position, int index, long value) {
        if (index < 0 || index >= Registers.NAMES.length) {
            throw new IllegalArgumentException("no register index " + index);
        }
        return new PcmEvent(EventKind.REG_WRITE, vcpu, position, 0, 0, index, value, null, 0);
    }
}
