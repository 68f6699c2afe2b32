package pcm.core.api.tracer;

/**
 * A tracer cannot trace the window it was armed for (its backend has no hook for it): the window records the
 * tracer as unavailable with this reason — honest, not silent.
 *
 * @since 1.1
 */
public class TracerUnavailableException extends Exception {
    private static final long serialVersionUID = 1L;

    public TracerUnavailableException(String reason) {
        super(reason);
    }
}
