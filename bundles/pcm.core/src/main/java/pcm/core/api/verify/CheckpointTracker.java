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
        divergence = new Divergence(agreedAt, agreedRip, what);
        return false;
    }

    /** The first disagreement, if any. */
    public Optional<Divergence> divergence() {
        return Optional.ofNullable(divergence);
    }
}
