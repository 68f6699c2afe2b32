package pcm.core.api.vm;

import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The one guest VM the kernel runs. Implemented by the kernel, used by shells, consoles and tests.
 */
@ProviderType
public interface Vm {

    VmState state();

    /** Boots the configured guest image; the VM must be CREATED or STOPPED. */
    void start() throws VmException;

    void pause() throws VmException;

    void resume() throws VmException;

    /** Stops the guest; idempotent. */
    void stop();

    /**
     * Waits until the VM has stopped.
     *
     * @return the guest's exit status (0 = clean power off), or empty if still running after the timeout
     */
    java.util.OptionalInt awaitStop(long timeoutMillis) throws InterruptedException;

    /** The configuration the next {@link #start()} uses (PID {@code pcm.vm}), as the kernel holds it now. */
    Map<String, Object> configuration();

    /** Why the guest stopped last (e.g. "guest power off"), "" before the first stop. */
    String stopReason();

    int vcpuCount();

    /** Backend in use ("kvm", "soft") and what kind of host it found (e.g. "KVM on PVM (nested, software)"). */
    String backendDescription();

    /** General registers of a vCPU, read while it is paused or stopped (a consistent view). */
    java.util.Map<String, Long> registers(int vcpu) throws VmException;

    /** Exits taken since start, by kind. */
    Map<ExitKind, Long> exitCounts();

    /**
     * Exits since start answered by a fallback (the next handler in rank, or the kernel's default) because a
     * plug-in exit handler failed, timed out or is quarantined, by kind.
     *
     * @since 1.1
     */
    default Map<ExitKind, Long> fallbackExitCounts() { return Map.of(); }

    /**
     * The same exits by the plug-in handler that failed them ("bundle-symbolic-name version #service.id").
     *
     * @since 1.1
     */
    default Map<String, Long> fallbackExitsByPlugin() { return Map.of(); }
}
