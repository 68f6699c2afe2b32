package pcm.core.internal.vm;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.core.api.cpu.BackendException;
import pcm.core.api.cpu.VirtualCpu;
import pcm.core.api.exit.ExitDispatcher;
import pcm.core.api.exit.ExitResult;
import pcm.core.api.irq.InterruptController;
import pcm.core.api.memory.GuestMemory;
import pcm.core.api.vm.VmExit;
import pcm.core.internal.time.VcpuTimeSource;

/**
 * The run loop of one vCPU on its own platform thread: run, count, dispatch, complete, and inject
 * pending interrupts at exits, where PCM decides (no in-kernel irqchip). Other threads talk to it
 * through requests (run on this thread, as KVM wants) and through kicks.
 * <p>
 * While a sampling window is open ({@link #openWindow}) the loop runs the vCPU through the window's
 * {@link WindowProbe} (its position counter) instead of {@link VirtualCpu#run()}, reports every
 * injected interrupt, handled exit and DMA write to it, and closes the window at the exit where it
 * reached its length.
 */
public final class VcpuLoop implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(VcpuLoop.class);

    /** Status when the guest halts with interrupts off: nothing can ever wake it. */
    static final int STATUS_DEAD_HALT = -2;
    /** Status when the backend failed. */
    static final int STATUS_BACKEND_FAILURE = -1;

    public interface Listener {
        void paused(boolean paused);

        void stopped(int status, String reason);
    }

    private final VirtualCpu vcpu;
    private final VcpuExitContext context;
    private final ExitDispatcher dispatcher;
    private final InterruptController pic;
    private final ExitCounters counters;
    private final Listener listener;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final ConcurrentLinkedQueue<Runnable> requests = new ConcurrentLinkedQueue<>();
    private volatile boolean stopRequested;
    private volatile boolean pauseRequested;
    private volatile int stopStatus;
    private volatile String stopReason = "stopped by the operator";
    private boolean windowRequested;
    private final WindowMemory memory;
    /** The open sampling window; touched only on the loop thread. */
    private WindowProbe probe;
    /** The clock the loop should drive, set from any thread; the loop attaches it on its own thread. */
    private volatile VcpuTimeSource wantedTime;
    /** Guest time, told the instruction count at every return from the guest; null without a clock (loop thread). */
    private VcpuTimeSource time;
    private volatile Thread loopThread;

    VcpuLoop(VirtualCpu vcpu, VcpuExitContext context, ExitDispatcher dispatcher, InterruptController pic,
             ExitCounters counters, Listener listener, WindowMemory memory) {
        this.vcpu = vcpu;
        this.context = context;
        this.dispatcher = dispatcher;
        this.pic = pic;
        this.counters = counters;
        this.listener = listener;
        this.memory = memory;
    }

    /**
     * A loop over {@code vcpu} (for embedding and tests); run it with {@link #run()} on the thread
     * that owns the vCPU. Devices and handlers should use {@link #memory()}.
     */
    public static VcpuLoop create(VirtualCpu vcpu, GuestMemory memory, ExitDispatcher dispatcher,
                                  InterruptController pic, Listener listener) {
        WindowMemory wm = new WindowMemory(memory);
        return new VcpuLoop(vcpu, new VcpuExitContext(vcpu, wm), dispatcher, pic, new ExitCounters(), listener, wm);
    }

    /**
     * Sets the guest clock the loop drives, before {@link #run()} or while it runs: a clock that binds after the
     * VM started (DS gives no order between the VM and the clock) is attached at the loop's next turn. Without
     * this a late clock stayed unattached, its time frozen, and the timers scheduled on it never fired.
     */
    public void setTimeSource(VcpuTimeSource time) {
        wantedTime = time;
        Thread t = loopThread;
        if (t != null && Thread.currentThread() != t) poke();
    }

    /** Attaches or drops the wanted clock (loop thread). */
    private void followTimeSource() {
        VcpuTimeSource want = wantedTime;
        if (want == time) return;
        if (want != null) want.attach(vcpu.instructionCount() >= 0, this::poke); // exact counts: guest time follows them
        time = want;
    }

    /** The guest memory with DMA recording, as devices and exit handlers must see it. */
    public WindowMemory memory() { return memory; }

    @Override
    public void run() {
        loopThread = Thread.currentThread();
        memory.bind(loopThread, this::poke);
        int status = 0;
        String reason = "";
        boolean stoppedAtBoundary = false;
        try {
            loop();
            status = stopStatus;
            reason = stopReason;
            stoppedAtBoundary = !exitUncompleted;
        } catch (BackendException | RuntimeException e) {
            LOG.error("vCPU {} failed: {}", vcpu.id(), e.getMessage(), e);
            status = STATUS_BACKEND_FAILURE;
            reason = "vCPU " + vcpu.id() + " failed: " + e.getMessage();
        } catch (Error e) {
            // An Error ended the loop (an OutOfMemoryError, a StackOverflowError in an exit handler): the run must not
            // report "status 0 ()" as if the guest had powered off (it did, on the emulated SVM host, stop 24).
            LOG.error("vCPU {} failed: {}", vcpu.id(), e.toString(), e);
            status = STATUS_BACKEND_FAILURE;
            reason = "vCPU " + vcpu.id() + " failed: " + e;
            if (!(e instanceof OutOfMemoryError)) throw e; // after the finally below has told the listener
        } finally {
            failPendingRequests();
            String why = "the VM stopped (" + (reason.isEmpty() ? "status " + status : reason) + ")";
            if (probe != null) {
                // The guest stopped between instructions (e.g. its power-off write completed): the window
                // closes there, shorter but valid. A stop that left an exit unanswered cannot be replayed.
                if (stoppedAtBoundary) closeWindowAtStop(why);
                else abortWindow(why);
            }
            memory.detach();
            listener.stopped(status, reason);
        }
    }

    private void loop() throws BackendException {
        while (true) {
            followTimeSource();
            runRequests();
            if (stopRequested) return;
            if (pauseRequested) {
                waitWhilePaused();
                continue;
            }
            if (memory.hasDeferred()) memory.applyDeferred();
            injectPendingInterrupt();
            WindowProbe p = probe;
            VmExit exit = p == null ? vcpu.run() : p.run();
            VcpuTimeSource t = time;
            if (t != null) t.advance(vcpu.instructionCount()); // before dispatch: a device read sees the time of this exit
            counters.count(exit.kind());
            switch (exit) {
                case VmExit.Interrupted i -> { }
                case VmExit.InterruptWindow w -> {
                    // The request is sticky in the backend (KVM's request_interrupt_window too): clear it,
                    // or every run returns at once while the window stays open.
                    vcpu.requestInterruptWindow(false);
                    windowRequested = false;
                }
                case VmExit.Hlt h -> waitForInterrupt(h);
                default -> dispatch(exit);
            }
            if (p != null && probe == p && p.reachedEnd()) finishWindow("length reached");
        }
    }

    /** Set while a dispatched exit has not been completed (its result was a stop). */
    private boolean exitUncompleted;

    private void closeWindowAtStop(String reason) {
        WindowProbe p = probe;
        try {
            finishWindow(reason);
        } catch (BackendException | RuntimeException e) {
            LOG.warn("closing the sampling window at stop failed ({}); the window is given up", e.toString());
            abort(p, reason); // finishWindow already let go of it
        }
    }

    private void dispatch(VmExit exit) throws BackendException {
        ExitDispatcher.Dispatch d = dispatcher.dispatch(exit, context);
        counters.dispatched(exit.kind(), d);
        if (d.result() instanceof ExitResult.Stop s) {
            exitUncompleted = true;
            requestStop(s.status(), s.reason());
            return;
        }
        WindowProbe p = probe;
        if (p != null) p.exitHandled(exit, d.result());
        vcpu.complete(exit, d.result());
        if (p != null && probe == p) p.exitCompleted(exit);
    }

    // ---------------------------------------------------------------- sampling windows

    /**
     * Opens a sampling window at the next boundary: {@code probe.open} runs on this loop's thread
     * with device DMA held off; from then on the loop runs the vCPU through the probe.
     */
    public void openWindow(WindowProbe p, long timeoutMillis) throws Exception {
        call(() -> {
            if (probe != null) throw new IllegalStateException("a sampling window is already open on vCPU " + vcpu.id());
            if (stopRequested) throw new IllegalStateException("the vCPU is stopping");
            memory.attach(p, () -> p.open(vcpu, memory.unwrapped()));
            probe = p;
            return null;
        }, timeoutMillis);
    }

    /** Closes the open window at the next boundary (final snapshot there); false if none was open. */
    public boolean closeWindow(String reason, long timeoutMillis) throws Exception {
        return call(() -> {
            if (probe == null) return false;
            finishWindow(reason);
            return true;
        }, timeoutMillis);
    }

    private void finishWindow(String reason) throws BackendException {
        WindowProbe p = probe;
        probe = null;
        memory.detachAfter(() -> p.finish(reason));
    }

    private void abortWindow(String reason) {
        WindowProbe p = probe;
        probe = null;
        memory.detach();
        abort(p, reason);
    }

    private static void abort(WindowProbe p, String reason) {
        try {
            p.abort(reason);
        } catch (RuntimeException e) {
            LOG.warn("sampling window abort failed: {}", e.toString());
        }
    }

    private void injectPendingInterrupt() throws BackendException {
        if (pic == null || !pic.hasPendingInterrupt()) return;
        if (vcpu.canInjectInterrupt()) {
            int vector = pic.acknowledge();
            if (vector >= 0) {
                vcpu.injectInterrupt(vector);
                if (probe != null) probe.interruptInjected(vector);
            }
            if (windowRequested) {
                vcpu.requestInterruptWindow(false);
                windowRequested = false;
            }
        } else if (!windowRequested) {
            vcpu.requestInterruptWindow(true);
            windowRequested = true;
        }
    }

    private void waitForInterrupt(VmExit.Hlt hlt) {
        if (!hlt.interruptsEnabled() || pic == null) {
            requestStop(STATUS_DEAD_HALT, "guest halted with interrupts disabled");
            return;
        }
        lock.lock();
        try {
            boolean idleTried = false;
            while (!stopRequested && !pauseRequested && requests.isEmpty() && !pic.hasPendingInterrupt()
                    && !memory.hasDeferred()) {
                if (wantedTime != time) {
                    // A clock that arrived while the guest waits here: its timers are what wakes the guest
                    lock.unlock();
                    try {
                        followTimeSource();
                    } finally {
                        lock.lock();
                    }
                    idleTried = false;
                    continue;
                }
                VcpuTimeSource t = time;
                if (t != null && !idleTried) {
                    // Instruction time skips to the next timer expiry; its task runs without this lock, and the
                    // conditions are checked again under it before waiting, so no wake-up is missed.
                    lock.unlock();
                    boolean skipped;
                    try {
                        skipped = t.idle();
                    } finally {
                        lock.lock();
                    }
                    idleTried = !skipped;
                    continue;
                }
                wake.await(100, TimeUnit.MILLISECONDS);
                idleTried = false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            requestStop(STATUS_BACKEND_FAILURE, "vCPU thread interrupted");
        } finally {
            lock.unlock();
        }
    }

    private void waitWhilePaused() {
        listener.paused(true);
        lock.lock();
        try {
            while (pauseRequested && !stopRequested) {
                if (!requests.isEmpty()) {
                    lock.unlock();
                    try {
                        runRequests();
                    } finally {
                        lock.lock();
                    }
                    continue;
                }
                wake.await(100, TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            requestStop(STATUS_BACKEND_FAILURE, "vCPU thread interrupted");
        } finally {
            lock.unlock();
        }
        if (!stopRequested) listener.paused(false);
    }

    /** The vCPU; its methods may be used only on the loop thread (see {@link #call}). */
    VirtualCpu vcpu() { return vcpu; }

    /** Wakes the loop wherever it is: in the guest (kick) or waiting (condition). Any thread. */
    public void poke() {
        vcpu.kick();
        lock.lock();
        try {
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    public void requestStop(int status, String reason) {
        if (stopRequested) return;
        stopStatus = status;
        stopReason = reason;
        stopRequested = true;
        poke();
    }

    void setPaused(boolean paused) {
        pauseRequested = paused;
        poke();
    }

    /**
     * Runs {@code work} on the vCPU thread and waits for it. A caller that gives up (timeout, interrupt) before the
     * work started withdraws it: it never runs. Once it started, the caller waits for its end and gets its result
     * (an interrupt is kept as the thread's flag): work such as opening a window must never happen unowned — a
     * window the vCPU opened after its opener had given up was recorded, closed at the guest's stop and stored as
     * FAILED while the sampler said "not opened" (stop 28).
     */
    public <T> T call(Callable<T> work, long timeoutMillis) throws Exception {
        Request<T> r = new Request<>(work);
        requests.add(r);
        poke();
        try {
            return r.result.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw e.getCause() instanceof Exception ex ? ex : e;
        } catch (java.util.concurrent.TimeoutException | InterruptedException e) {
            if (r.withdraw()) {
                requests.remove(r);
                throw e;
            }
            boolean interrupted = e instanceof InterruptedException;
            try {
                while (true) {
                    try {
                        return r.result.get();
                    } catch (InterruptedException again) {
                        interrupted = true;
                    } catch (java.util.concurrent.ExecutionException failed) {
                        throw failed.getCause() instanceof Exception ex ? ex : failed;
                    }
                }
            } finally {
                if (interrupted) Thread.currentThread().interrupt();
            }
        }
    }

    /** Work for the loop thread that its caller can withdraw until it starts. */
    private static final class Request<T> implements Runnable {
        private static final int PENDING = 0, STARTED = 1, WITHDRAWN = 2;
        private final java.util.concurrent.atomic.AtomicInteger phase = new java.util.concurrent.atomic.AtomicInteger(PENDING);
        private final Callable<T> work;
        final CompletableFuture<T> result = new CompletableFuture<>();

        Request(Callable<T> work) { this.work = work; }

        /** True if the work will never run; false if it already started (its result will come). */
        boolean withdraw() { return phase.compareAndSet(PENDING, WITHDRAWN); }

        @Override
        public void run() {
            if (!phase.compareAndSet(PENDING, STARTED)) return;
            try {
                result.complete(work.call());
            } catch (Exception | Error e) {
                result.completeExceptionally(e);
            }
        }
    }

    private void runRequests() {
        Runnable r;
        while ((r = requests.poll()) != null) r.run();
    }

    private void failPendingRequests() {
        Runnable r;
        while ((r = requests.poll()) != null) r.run(); // they run against a vCPU about to close: their errors go back to the caller
    }
}
