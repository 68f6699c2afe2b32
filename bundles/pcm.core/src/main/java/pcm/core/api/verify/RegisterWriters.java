package pcm.core.api.verify;

import java.util.Arrays;

import pcm.core.api.cpu.Registers;
import pcm.core.api.event.RegisterCheckpoints;

/**
 * Last-writer tracing of the registers between two register checkpoints: a replay that sees its registers after
 * every instruction (or logged input, or REG_WRITE) tells it here, and it keeps, per register, which one last
 * changed it. When a sparse checkpoint disagrees, the last writer of a differing register is the instruction that
 * produced the value the checkpoint saw — with a checkpoint after every instruction that would have been the
 * instruction at the last agreeing position, so sparse checkpoints locate a fault whose value reaches the
 * checkpoint exactly as precisely (docs/verification.md, "Where a divergence is reported"). RFLAGS is traced in
 * its compared bits only ({@link RegisterCheckpoints#COMPARED_RFLAGS}): every ALU instruction rewrites the others.
 * Not thread-safe.
 *
 * @since 1.5
 */
public final class RegisterWriters {

    private static final int N = Registers.NAMES.length;
    private final long[] values;
    private final long[] position = new long[N], rip = new long[N];

    /** Starts tracing at {@code start} (no register has a writer yet). */
    public RegisterWriters(Registers start) {
        this.values = masked(start);
        Arrays.fill(position, -1);
    }

    /**
     * The instruction (or input, or register write) at {@code writerPosition} — instructions retired before it —
     * whose RIP is {@code writerRip} left the registers {@code now}: it is the last writer of every register whose
     * value changed since the previous call.
     */
    public void changed(long writerPosition, long writerRip, Registers now) {
        long[] a = masked(now);
        for (int i = 0; i < N; i++) {
            if (a[i] != values[i]) {
                values[i] = a[i];
                position[i] = writerPosition;
                rip[i] = writerRip;
            }
        }
    }

    /** Position of the last writer of register {@code index} ({@link Registers#toArray()} order), -1 if none yet. */
    public long writer(int index) {
        return position[index];
    }

    /** RIP of the last writer of register {@code index}; meaningless if {@link #writer(int)} is -1. */
    public long writerRip(int index) {
        return rip[index];
    }

    private static long[] masked(Registers r) {
        long[] a = r.toArray();
        a[17] &= RegisterCheckpoints.COMPARED_RFLAGS;
        return a;
    }
}
