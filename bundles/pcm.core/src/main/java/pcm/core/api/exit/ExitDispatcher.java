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
     * @param result    what the guest gets
     * @param handledBy who decided: "bundle-symbolic-name#service.id", or {@link #DEFAULT}
     */
    record Dispatch(ExitResult result, String handledBy) {}

    String DEFAULT = "default";

    /** Handlers registered for a kind, in the order they are asked (highest rank first). */
    List<String> handlers(ExitKind kind);

    /** Exits dispatched, by kind. */
    Map<ExitKind, Long> dispatched();

    /** Exits no handler took (the default applied), by kind. */
    Map<ExitKind, Long> unhandled();

    /** Handler invocations that threw (the default applied), by kind. */
    Map<ExitKind, Long> failures();
}
