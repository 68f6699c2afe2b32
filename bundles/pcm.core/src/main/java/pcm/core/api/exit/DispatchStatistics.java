package pcm.core.api.exit;

import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

import pcm.core.api.vm.ExitKind;

/** Counters of the kernel's exit dispatcher (a service), for shells and consoles. */
@ProviderType
public interface DispatchStatistics {

    /** Exits dispatched, by kind. */
    Map<ExitKind, Long> dispatched();

    /** Exits no handler took, by kind (the kernel's default applied). */
    Map<ExitKind, Long> unhandled();

    /** Handler invocations that threw, by kind (the kernel's default applied). */
    Map<ExitKind, Long> failures();
}
