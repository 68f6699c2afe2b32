package pcm.core.api.verify;

import java.util.Optional;

/**
 * A verifier's answer for one window.
 *
 * @param divergence set only for {@link Outcome#DIVERGED}
 * @param detail     why, for INCONCLUSIVE; a summary otherwise
 */
public record Verdict(Outcome outcome, String rcp, String windowId, long instructions,
                      Optional<Divergence> divergence, String detail) {

    public static Verdict match(String rcp, String windowId, long insns) {
        return new Verdict(Outcome.MATCH, rcp, windowId, insns, Optional.empty(), "");
    }

    public static Verdict diverged(String rcp, String windowId, long insns, Divergence d) {
        return new Verdict(Outcome.DIVERGED, rcp, windowId, insns, Optional.of(d), "");
    }

    public static Verdict inconclusive(String rcp, String windowId, long insns, String why) {
        return new Verdict(Outcome.INCONCLUSIVE, rcp, windowId, insns, Optional.empty(), why);
    }
}
