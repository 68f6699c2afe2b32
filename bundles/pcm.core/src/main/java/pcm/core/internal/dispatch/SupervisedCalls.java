package pcm.core.internal.dispatch;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

import pcm.core.api.exit.ExitContext;
import pcm.core.api.exit.ExitResult;
import pcm.core.api.vm.VmExit;

/**
 * Runs plug-in handler calls off the vCPU thread, so that the vCPU can stop waiting: the vCPU
 * hands the call to a worker and waits at most the hard limit. Of "the worker answers" and "the
 * vCPU gives up" exactly one wins (one compare-and-set), so an exit is never answered twice: an
 * answer that comes after the vCPU gave up is dropped (and reported through {@link LateAnswers}).
 * <p>
 * Workers are a cached pool of daemon platform threads (not virtual threads: a handler that spins
 * would pin a carrier of the JVM-wide scheduler). A vCPU that dispatches one exit at a time reuses
 * one idle worker; a worker stuck in a handler is lost, but its handler is quarantined, so it is
 * never handed another call.
 */
final class SupervisedCalls {

    /** What became of a call. */
    enum Outcome { ANSWERED, TIMED_OUT, INTERRUPTED }

    /** Told of answers that came after the vCPU gave up on them (on the worker thread). */
    interface LateAnswers {
        void dropped(RankedHandler handler, VmExit exit, long tookNanos);
    }

    private static final int PENDING = 0, ANSWERED = 1, ABANDONED = 2;

    private final LateAnswers late;
    private final LongSupplier clock;
    private final AtomicLong threads = new AtomicLong();
    private volatile ThreadPoolExecutor pool;

    SupervisedCalls(LateAnswers late, LongSupplier clock) {
        this.late = late;
        this.clock = clock;
    }

    /** One handler call, handed from the vCPU thread to a worker. */
    final class Call implements Runnable {
        private final RankedHandler handler;
        private final VmExit exit;
        private final CallContext context;
        private final Thread waiter = Thread.currentThread();
        private final AtomicInteger state = new AtomicInteger(PENDING);
        private final long started = clock.getAsLong();
        private volatile boolean done;
        private volatile Thread worker;
        private ExitResult result;
        private Throwable thrown;

        private Call(RankedHandler handler, VmExit exit, ExitContext vcpu) {
            this.handler = handler;
            this.exit = exit;
            this.context = new CallContext(vcpu, this);
        }

        @Override
        public void run() {
            worker = Thread.currentThread();
            ExitResult r = null;
            Throwable t = null;
            try {
                r = handler.handler.handle(exit, context);
            } catch (Throwable e) { // a worker thread: contain everything, even Errors, and report it to the vCPU
                t = e;
            } finally {
                handler.exit();
            }
            result = r;
            thrown = t;
            if (state.compareAndSet(PENDING, ANSWERED)) {
                done = true; // publishes result and thrown
                LockSupport.unpark(waiter);
            } else {
                late.dropped(handler, exit, clock.getAsLong() - started);
            }
        }

        /** Where the worker is now (for the quarantine warning), or null if it has not started. */
        Throwable stuckAt() {
            Thread w = worker;
            if (w == null || done) return null;
            Throwable where = new Throwable("where " + w.getName() + " is in the handler (not an exception)");
            where.setStackTrace(w.getStackTrace());
            return where;
        }

        boolean abandoned() {
            return state.get() == ABANDONED;
        }

        /** The handler's answer (null if it threw or returned null); valid after {@link Outcome#ANSWERED}. */
        ExitResult result() { return result; }

        /** What the handler threw, or null; valid after {@link Outcome#ANSWERED}. */
        Throwable thrown() { return thrown; }

        /** On the vCPU thread: waits for the answer, at most {@code limitNanos} (real time). */
        Outcome await(long limitNanos) {
            long deadline = System.nanoTime() + limitNanos;
            while (!done) {
                long left = deadline - System.nanoTime();
                boolean interrupted = Thread.currentThread().isInterrupted();
                if (left <= 0 || interrupted) {
                    if (state.compareAndSet(PENDING, ABANDONED)) return interrupted ? Outcome.INTERRUPTED : Outcome.TIMED_OUT;
                    while (!done) Thread.onSpinWait(); // answered just now: the worker is about to publish it
                    return Outcome.ANSWERED;
                }
                LockSupport.parkNanos(this, left);
            }
            return Outcome.ANSWERED;
        }
    }

    /**
     * Starts {@code handler} on a worker; the caller has entered the handler (in-flight count), the
     * worker leaves it when the call returns, however late.
     *
     * @throws RejectedExecutionException after {@link #shutdown}; the caller must leave the handler
     */
    Call start(RankedHandler handler, VmExit exit, ExitContext context) {
        Call call = new Call(handler, exit, context);
        pool().execute(call);
        return call;
    }

    private ThreadPoolExecutor pool() {
        ThreadPoolExecutor p = pool;
        if (p != null) return p;
        synchronized (this) {
            if (pool == null) {
                pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), r -> {
                    Thread t = new Thread(r, "pcm-exit-plugin-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
            }
            return pool;
        }
    }

    /** Workers busy in a handler call right now (stuck ones included). */
    int busyWorkers() {
        ThreadPoolExecutor p = pool;
        return p == null ? 0 : p.getActiveCount();
    }

    /** Interrupts workers still in a call (a handler stuck for good keeps its daemon thread) and refuses new calls. */
    void shutdown() {
        ThreadPoolExecutor p;
        synchronized (this) {
            p = pool;
            pool = new ThreadPoolExecutor(0, 1, 0, TimeUnit.SECONDS, new SynchronousQueue<>());
            pool.shutdown();
        }
        if (p != null) p.shutdownNow();
    }
}
