package pcm.core.api.verify;

/** The three verdicts of a replay. */
public enum Outcome {
    /** The replay reached the recorded final state. */
    MATCH,
    /** The replay's state differs from the recorded one: the CPU (or memory path) misbehaved. */
    DIVERGED,
    /** The verifier could not decide (e.g. an instruction it cannot replay). */
    INCONCLUSIVE
}
