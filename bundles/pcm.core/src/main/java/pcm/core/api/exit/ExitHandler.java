package pcm.core.api.exit;

import org.osgi.annotation.versioning.ConsumerType;

import pcm.core.api.vm.VmExit;

/**
 * Handles VM exits of the kinds named in its {@link #EXIT_KINDS} service property.
 * <p>
 * Whiteboard rules (enforced by the kernel's dispatcher):
 * <ul>
 * <li>for each exit the handlers registered for its kind are asked in descending
 * {@code service.ranking} order (ties: lower {@code service.id} first); the first that does not
 * return {@link ExitResult#pass()} decides;</li>
 * <li>an exit that has started on a handler finishes on it, even if its service goes away
 * meanwhile; unregistration waits for exits in flight on that handler, for a bounded time;</li>
 * <li>a handler that throws (or returns null) is counted and logged (rate-limited), the next handler
 * in rank is asked (or the kernel's default applies) and the vCPU goes on;</li>
 * <li>handlers of plug-in bundles (all but the kernel's own) are called on a worker thread while the
 * vCPU waits, at most a configured hard limit: a call over the time budget is named in a warning, one
 * over the hard limit is given up, the handler is quarantined (never asked again until its service
 * is registered again) and the exit goes to the next handler; its late answer is dropped, and its
 * {@link ExitContext} refuses access from then on.</li>
 * </ul>
 * Handlers must not block for long.
 */
@ConsumerType
public interface ExitHandler {

    /** Service property: the {@link pcm.core.api.vm.ExitKind} names this handler takes (String or String[]). */
    String EXIT_KINDS = "pcm.exit.kinds";

    ExitResult handle(VmExit exit, ExitContext context);
}
