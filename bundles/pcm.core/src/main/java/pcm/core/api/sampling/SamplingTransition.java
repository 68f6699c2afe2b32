package pcm.core.api.sampling;

/**
 * One transition of the sampling state machine, as shells show it.
 *
 * @param cause  the RCP command that caused it, or why it happened without one ("timeout",
 *               "window failed", "length reached")
 * @param detail what happened, e.g. the window id and its length
 * @since 1.1
 */
public record SamplingTransition(long epochMillis, SamplingState from, SamplingState to, String cause, String detail) {
}
