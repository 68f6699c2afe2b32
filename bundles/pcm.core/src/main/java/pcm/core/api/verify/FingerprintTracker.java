package pcm.core.api.verify;

import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.TreeMap;

import pcm.core.api.cpu.Registers;
import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;
import pcm.core.api.event.RegisterFingerprints;

/**
 * What a replay verifier does with a window's FINGERPRINTS events (see {@link RegisterFingerprints}): knows the
 * recording's fingerprint at each position, compares the replay's registers there, and keeps the first
 * disagreement — the instruction at the last agreeing position, as a register checkpoint after every instruction
 * would. A verifier reads them all up front (a FINGERPRINTS event is logged after the positions it covers). One
 * tracker per replay pass; not thread-safe.
 *
 * @since 1.5
 */
public final class FingerprintTracker {

    private final NavigableMap<Long, byte[]> runs = new TreeMap<>();
    private long agreedAt, agreedRip, lastCompared;
    private Divergence divergence;

    /** @param initial the window's initial registers (position 0 agrees by definition) */
    public FingerprintTracker(List<PcmEvent> events, Registers initial) {
        for (PcmEvent e : events) {
            if (e.kind() == EventKind.FINGERPRINTS && e.data().length > 0 && e.position() > 0) runs.put(e.position(), e.data());
        }
        agreedRip = initial.rip();
    }

    /** Whether the window has fingerprints at all. */
    public boolean any() {
        return !runs.isEmpty();
    }

    /** The recording's fingerprint after {@code position} instructions, 0 if none was recorded there. */
    public int at(long position) {
        Map.Entry<Long, byte[]> r = runs.floorEntry(position);
        if (r == null || position - r.getKey() >= r.getValue().length) return 0;
        return r.getValue()[(int) (position - r.getKey())] & 0xFF;
    }

    /** Every position with a fingerprint below {@code end}, ascending (for a replay that stops at each). */
    public long[] positions(long end) {
        long n = 0;
        for (Map.Entry<Long, byte[]> r : runs.entrySet()) n += r.getValue().length;
        long[] out = new long[(int) Math.min(n, Integer.MAX_VALUE - 8)];
        int k = 0;
        long last = 0;
        for (Map.Entry<Long, byte[]> r : runs.entrySet()) {
            byte[] d = r.getValue();
            for (int i = 0; i < d.length && k < out.length; i++) {
                long p = r.getKey() + i;
                if (d[i] != 0 && p < end && p > last) {
                    out[k++] = p;
                    last = p;
                }
            }
        }
        return java.util.Arrays.copyOf(out, k);
    }

    /** Whether a disagreement was found. */
    public boolean diverged() {
        return divergence != null;
    }

    /**
     * Compares the replay's registers after {@code position} instructions with the recording's fingerprint there
     * (nothing happens where none was recorded, or at a position not after the last compared one). Returns false
     * once a disagreement was found (the first is kept).
     */
    public boolean compare(long position, Registers replay) {
        if (divergence != null) return false;
        int want = at(position);
        if (want == 0 || position <= lastCompared) return true;
        lastCompared = position;
        int got = RegisterFingerprints.of(replay);
        if (got == want) {
            agreedAt = position;
            agreedRip = replay.rip();
            return true;
        }
        String what = position - agreedAt == 1
                ? "registers after the instruction at position " + agreedAt + " differ from the recording's (fingerprint 0x"
                        + Integer.toHexString(got) + " != recorded 0x" + Integer.toHexString(want) + ")"
                : "registers after " + position + " instructions differ from the recording's (fingerprint 0x" + Integer.toHexString(got)
                        + " != recorded 0x" + Integer.toHexString(want) + "); they agreed at position " + agreedAt
                        + ": the divergence lies in the " + (position - agreedAt) + " instructions between";
        divergence = new Divergence(agreedAt, agreedRip, List.of(what, "replay registers there: rip 0x" + Long.toHexString(replay.rip())
                + " rax 0x" + Long.toHexString(replay.rax())));
        return false;
    }

    /** The first disagreement, if any. */
    public Optional<Divergence> divergence() {
        return Optional.ofNullable(divergence);
    }

    /** The earlier of two divergences (either may be null); ties go to {@code a}. */
    public static Divergence earlier(Divergence a, Divergence b) {
        if (a == null) return b;
        if (b == null) return a;
        return b.position() < a.position() ? b : a;
    }
}
