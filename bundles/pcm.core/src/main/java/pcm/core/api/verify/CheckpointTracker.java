package pcm.core.api.verify;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import pcm.core.api.cpu.Registers;
import pcm.core.api.event.PcmEvent;
import pcm.core.api.event.RegisterCheckpoints;

/**
 * What a replay verifier does with a window's CHECKPOINT events: rebuilds the recording CPU's registers delta
 * by delta, compares the replay's registers at each checkpoint it reaches, and keeps the first disagreement.
 * That disagreement lies in the instructions since the last agreeing checkpoint — with a checkpoint after every
 * instruction, exactly the instruction at the last agreeing position. It is kept rather than ending the replay:
 * a final-state difference found later may locate the fault earlier (a memory byte written before the
 * instruction that loaded it). One tracker per replay pass; not thread-safe.
 */
public final class CheckpointTracker {

    private Registers recorded;
    private long agreedAt, agreedRip;
    private Divergence divergence;
    private RegisterWriters writers;
    private long divergedAt = -1;

    /** @param initial the registers of the window's initial snapshot (the base of the first delta) */
    public CheckpointTracker(Registers initial) {
        this.recorded = initial;
        this.agreedRip = initial.rip();
    }

    /**
     * Applies a CHECKPOINT event's delta: the recording's registers at its position.
     *
     * @throws IllegalArgumentException if the event's payload is malformed
     */
    public void record(PcmEvent checkpoint) {
        recorded = RegisterCheckpoints.apply(recorded, checkpoint);
    }

    /**
     * The recording's registers at the last applied checkpoint — for a verifier that compares later, as its
     * replay passes the position ({@link #compare(long, Registers, Registers)}).
     *
     * @since 1.3
     */
    public Registers recorded() {
        return recorded;
    }

    /**
     * Traces last writers while comparing: a disagreement found more than one instruction after the last agreeing
     * checkpoint is then located at the earliest last writer of a differing register (see {@link RegisterWriters}),
     * which the replay must keep up to date before each comparison.
     *
     * @since 1.5
     */
    public void traceWriters(RegisterWriters w) {
        this.writers = w;
    }

    /** Position of the last checkpoint that agreed (0: the initial snapshot). @since 1.5 */
    public long agreedAt() {
        return agreedAt;
    }

    /**
     * Position of the checkpoint that disagreed, -1 if none did. More than one instruction after {@link #agreedAt()}:
     * the divergence is located at the last agreeing checkpoint unless last writers were traced.
     *
     * @since 1.5
     */
    public long divergedAt() {
        return divergedAt;
    }

    /** Whether a disagreement was found (later checkpoints need no comparison). */
    public boolean diverged() {
        return divergence != null;
    }

    /**
     * Compares the replay's registers at {@code position} with the last recorded checkpoint (which must be at
     * that position). Returns true if they agree; the first disagreement is kept.
     */
    public boolean compare(long position, Registers replay) {
        return compare(position, replay, recorded);
    }

    /**
     * Compares the replay's registers at {@code position} with the recording's there (from {@link #recorded()}
     * when that checkpoint was applied). Comparisons must come in position order. Returns true if they agree;
     * the first disagreement is kept.
     *
     * @since 1.3
     */
    public boolean compare(long position, Registers replay, Registers recordedThere) {
        if (divergence != null) return false;
        List<String> d = RegisterCheckpoints.differences(replay, recordedThere);
        if (d.isEmpty()) {
            agreedAt = position;
            agreedRip = replay.rip();
            return true;
        }
        List<String> what = new ArrayList<>();
        what.add(position - agreedAt == 1
                ? "registers after the instruction at position " + agreedAt + " differ from the recording's checkpoint"
                : "registers differ from the recording's checkpoint at position " + position + "; they agreed at position "
                        + agreedAt + ": the divergence lies in the " + (position - agreedAt) + " instructions between");
        what.addAll(d);
        divergedAt = position;
        divergence = position - agreedAt > 1 && writers != null
                ? byLastWriter(position, replay, recordedThere, what) : new Divergence(agreedAt, agreedRip, what);
        return false;
    }

    /**
     * The earliest last writer (since the agreeing checkpoint) of a register that differs, RIP left out: every
     * instruction writes it, so its last writer says nothing about where the paths parted. Null-safe fallback to
     * the interval when no differing register was written by the replay in it (only RIP differs, or the recording
     * CPU wrote registers the replay did not).
     */
    private Divergence byLastWriter(long position, Registers replay, Registers recordedThere, List<String> what) {
        long[] a = replay.toArray(), b = recordedThere.toArray();
        a[17] &= RegisterCheckpoints.COMPARED_RFLAGS;
        b[17] &= RegisterCheckpoints.COMPARED_RFLAGS;
        int best = -1;
        List<String> writerLines = new ArrayList<>();
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b[i] || i == 16) continue;
            long w = writers.writer(i);
            if (w < agreedAt) {
                writerLines.add(Registers.NAMES[i] + " not written by the replay since position " + agreedAt);
                continue;
            }
            writerLines.add(Registers.NAMES[i] + " last written by the instruction at position " + w + " (rip 0x"
                    + Long.toHexString(writers.writerRip(i)) + ")");
            if (best < 0 || w < writers.writer(best)) best = i;
        }
        what.addAll(writerLines);
        if (best < 0) return new Divergence(agreedAt, agreedRip, what);
        what.add("first divergence: position " + writers.writer(best) + ", the earliest last writer of a differing register"
                + " (traced from the checkpoint at position " + agreedAt + ")");
        return new Divergence(writers.writer(best), writers.writerRip(best), what);
    }

    /** The first disagreement, if any. */
    public Optional<Divergence> divergence() {
        return Optional.ofNullable(divergence);
    }
}
