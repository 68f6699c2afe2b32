package pcm.core.api.time;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Guest time as the platform's timers see it. On the software CPU it is a function of the retired-instruction
 * count (so a boot reads the same times at the same instructions), on KVM of the host clock. Devices read
 * {@link #nanos()} when the guest reads a counter, and {@link #schedule} their next expiry; they never read
 * the host clock themselves.
 */
@ProviderType
public interface GuestClock {

    /** Guest nanoseconds since the clock started; never decreases. */
    long nanos();

    /**
     * Whether guest time follows the retired-instruction count now (the software CPU): then a timer must use
     * {@link #schedule}, since time passes only as the guest executes. Otherwise (host time: KVM, or no VM) guest
     * nanoseconds pass with the host's, and a device may also time itself on {@link #nanos()} with a thread of its own.
     *
     * @since 1.1
     */
    default boolean countsInstructions() {
        return false;
    }

    /** The guest TSC rate, Hz (what the loader gives the kernel as {@code tsc_early_khz}). */
    long tscHz();

    /** The guest TSC: {@link #nanos()} at {@link #tscHz()}. */
    default long tsc() {
        return nanosToTicks(nanos(), tscHz());
    }

    /**
     * Runs {@code task} once guest time has reached {@code deadlineNanos} (soon if it has; never inside this call,
     * so the caller may hold its own lock while scheduling). The task runs
     * on the clock's thread or on the vCPU thread, never under a lock of the caller's; it must be short
     * (typically: raise an interrupt, schedule the next expiry).
     */
    Deadline schedule(long deadlineNanos, Runnable task);

    /** A scheduled task. */
    interface Deadline {
        /** Stops the task from running if it has not started; harmless afterwards. */
        void cancel();
    }

    /** {@code nanos} at {@code hz} in ticks, rounded down, without overflow for non-negative input ({@code hz} below 9.2 GHz). */
    static long nanosToTicks(long nanos, long hz) {
        return nanos / 1_000_000_000L * hz + nanos % 1_000_000_000L * hz / 1_000_000_000L;
    }

    /** {@code ticks} at {@code hz} in nanoseconds, rounded down ({@code hz} below 9.2 GHz). */
    static long ticksToNanos(long ticks, long hz) {
        return ticks / hz * 1_000_000_000L + ticks % hz * 1_000_000_000L / hz;
    }
}
