package pcm.core.internal.dispatch;

import java.util.Comparator;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import pcm.core.api.exit.ExitHandler;
import pcm.core.api.vm.ExitKind;

/**
 * One registered handler with its whiteboard metadata and a count of exits in flight on it, so
 * that unregistration can wait for them ("an exit in flight finishes on the handler it began with").
 */
final class RankedHandler {

    /** Highest ranking first; equal rankings: the older service (lower id) first, as OSGi orders them. */
    static final Comparator<RankedHandler> ORDER =
            Comparator.comparingInt((RankedHandler h) -> h.ranking).reversed().thenComparingLong(h -> h.serviceId);

    final ExitHandler handler;
    final int ranking;
    final long serviceId;
    final String name;
    final Set<ExitKind> kinds;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean retired;

    RankedHandler(ExitHandler handler, int ranking, long serviceId, String name, Set<ExitKind> kinds) {
        this.handler = handler;
        this.ranking = ranking;
        this.serviceId = serviceId;
        this.name = name;
        this.kinds = kinds.isEmpty() ? EnumSet.noneOf(ExitKind.class) : EnumSet.copyOf(kinds);
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

    void exit() {
        inFlight.decrementAndGet();
    }

    /** Marks the handler retired and waits until no exit is in flight on it. */
    void retireAndDrain() {
        retired = true;
        while (inFlight.get() > 0) {
            LockSupport.parkNanos(50_000);
        }
    }

    @Override
    public String toString() {
        return name + " (ranking " + ranking + ")";
    }
}
