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
 * meanwhile; unregistration waits for exits in flight on that handler;</li>
 * <li>a handler that throws is counted and logged, the kernel's default applies and the vCPU goes on.</li>
 * </ul>
 * Handlers are called on vCPU threads and must not block for long.
 */
@ConsumerType
public interface ExitHandler {

    /** Service property: the {@link pcm.core.api.vm.ExitKind} names this handler takes (String or String[]). */
    String EXIT_KINDS = "pcm.exit.kinds";

    ExitResult handle(VmExit exit, ExitContext context);
}
