package pcm.core.api.exit;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

import pcm.core.api.vm.ExitKind;
import pcm.core.api.vm.VmExit;

/**
 * The kernel's exit dispatcher (a service): the whiteboard of {@link ExitHandler}s. The vCPU loop
 * calls it for every exit; shells read its counters; tests may dispatch synthetic exits.
 */
@ProviderType
public interface ExitDispatcher {

    /**
     * Dispatches one exit to the handlers of its kind. Never throws because of a handler: a
     * throwing handler is counted and the default applies.
     */
    Dispatch dispatch(VmExit exit, ExitContext context);

    /**
     * @param result       what the guest gets
     * @param handledBy    who decided: "bundle-symbolic-name#service.id", or {@link #DEFAULT}
     * @param fallbackFrom null, or the plug-in handler ("bundle-symbolic-name version #service.id") that should
     *                     have been asked before {@code handledBy} but failed, timed out or is quarantined: the
     *                     exit was answered by a fallback (the next handler in rank, or the default)
     * @since 1.1
     */
    record Dispatch(ExitResult result, String handledBy, String fallbackFrom) {

        public Dispatch(ExitResult result, String handledBy) {
            this(result, handledBy, null);
        }

        /** Whether a fallback answered because a plug-in failed, timed out or is quarantined. */
        public boolean fallback() {
            return fallbackFrom != null;
        }
    }

    String DEFAULT = "default";

    /** Handlers registered for a kind, in the order they are asked (highest rank first). */
    List<String> handlers(ExitKind kind);

    /** Exits dispatched, by kind. */
    Map<ExitKind, Long> dispatched();

    /** Exits no handler took (the default applied), by kind. */
    Map<ExitKind, Long> unhandled();

    /** Handler invocations that threw or returned null (the next handler or the default answered), by kind. */
    Map<ExitKind, Long> failures();

    /**
     * Plug-in handler calls that did not answer within the hard limit (the handler was quarantined and the
     * exit went on to the next handler or the default), by kind.
     *
     * @since 1.1
     */
    default Map<ExitKind, Long> timeouts() { return Map.of(); }

    /**
     * Exits answered by a fallback (the next handler or the default) because a plug-in handler failed, timed
     * out or is quarantined, by kind.
     *
     * @since 1.1
     */
    default Map<ExitKind, Long> fallbacks() { return Map.of(); }

    /**
     * Handlers taken out of dispatch for not answering within the hard limit, each as
     * "bundle-symbolic-name version #service.id: reason". They stay out until their service is registered again.
     *
     * @since 1.1
     */
    default List<String> quarantined() { return List.of(); }

    /** Answers that came after their call had been given up, and were dropped. @since 1.1 */
    default long lateAnswersDropped() { return 0; }
}
