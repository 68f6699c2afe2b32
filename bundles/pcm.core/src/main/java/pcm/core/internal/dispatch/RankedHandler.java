package pcm.core.internal.dispatch;

import java.util.Comparator;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import pcm.core.api.exit.ExitHandler;
import pcm.core.api.vm.ExitKind;

/**
 * One registered handler with its whiteboard metadata, a count of calls in flight on it (so that
 * unregistration can wait for them, for a bounded time) and its quarantine state.
 */
final class RankedHandler {

    /** Highest ranking first; equal rankings: the older service (lower id) first, as OSGi orders them. */
    static final Comparator<RankedHandler> ORDER =
            Comparator.comparingInt((RankedHandler h) -> h.ranking).reversed().thenComparingLong(h -> h.serviceId);

    final ExitHandler handler;
    final int ranking;
    final long serviceId;
    /** "bsn#service.id": what {@code Dispatch.handledBy} says. */
    final String name;
    /** "bsn version #service.id": what warnings say. */
    final String label;
    final Set<ExitKind> kinds;
    /** Symbolic name of the handler's bundle; null if registered without a framework. */
    final String bundle;
    /**
     * Called on the vCPU thread itself (the kernel's own handlers): no hand-off, but no time bound
     * either. Plug-in handlers run supervised ({@link SupervisedCalls}). Set again when the
     * configuration's direct bundles change.
     */
    volatile boolean direct;
    /** Rate-limited reports of its failures and of its calls over the time budget. */
    final FailureReport failures, slowCalls;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean retired;
    /** Why the handler is out of dispatch, or null; set once. */
    private volatile String quarantine;

    RankedHandler(ExitHandler handler, int ranking, long serviceId, String name, String label, Set<ExitKind> kinds,
                  String bundle, Set<String> directBundles, DispatchLog log) {
        this.handler = handler;
        this.ranking = ranking;
        this.serviceId = serviceId;
        this.name = name;
        this.label = label;
        this.kinds = kinds.isEmpty() ? EnumSet.noneOf(ExitKind.class) : EnumSet.copyOf(kinds);
        this.bundle = bundle;
        classify(directBundles);
        this.failures = new FailureReport(label, "failed", log);
        this.slowCalls = new FailureReport(label, "went over its time budget", log);
    }

    /** @return false if the handler was retired meanwhile: the caller must not call it */
    boolean enter() {
        inFlight.incrementAndGet();
        if (retired) {
            exit();
            return false;
        }
        return true;
    }

    /** Direct if registered without a framework or by one of {@code directBundles}. */
    void classify(Set<String> directBundles) {
        direct = bundle == null || directBundles.contains(bundle);
    }

    void exit() {
        if (inFlight.decrementAndGet() == 0 && retired) {
            synchronized (this) {
                notifyAll();
            }
        }
    }

    int inFlight() {
        return inFlight.get();
    }

    /**
     * Marks the handler retired and waits until no call is in flight on it, for at most
     * {@code maxWaitNanos}: a handler stuck in a call must not wedge the thread that unregisters it
     * (FileInstall's, when a jar is removed).
     *
     * @return true if it drained, false if calls were still in flight when the wait ended
     */
    boolean retireAndDrain(long maxWaitNanos) {
        retired = true;
        long deadline = System.nanoTime() + maxWaitNanos;
        synchronized (this) {
            while (inFlight.get() > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) return false;
                try {
                    TimeUnit.NANOSECONDS.timedWait(this, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return inFlight.get() == 0;
                }
            }
        }
        return true;
    }

    boolean quarantined() {
        return quarantine != null;
    }

    String quarantineReason() {
        return quarantine;
    }

    /** @return true if this call put it in quarantine (it was not already) */
    synchronized boolean quarantine(String why) {
        if (quarantine != null) return false;
        quarantine = why;
        return true;
    }

    @Override
    public String toString() {
        String q = quarantine;
        return name + " (ranking " + ranking + ")" + (q == null ? "" : " QUARANTINED: " + q);
    }
}
