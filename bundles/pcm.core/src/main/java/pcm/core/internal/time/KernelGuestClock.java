package pcm.core.internal.time;

import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.core.api.exit.ExitContext;
import pcm.core.api.exit.ExitHandler;
import pcm.core.api.exit.ExitResult;
import pcm.core.api.time.GuestClock;
import pcm.core.api.vm.VmExit;

/**
 * The platform's one guest clock (PID {@code pcm.clock}).
 * <p>
 * <b>Instruction time</b> (the soft CPU): TSC = retired instructions × {@code tscPerInstruction} + the time
 * skipped while the guest was idle; nanoseconds = TSC at {@code tscHz}. The vCPU loop reports the count each
 * time the vCPU returns to it ({@link #advance}) and due deadlines run there, on the vCPU thread. A halted guest
 * executes nothing, so time would stand still: {@link #idle} jumps to the earliest deadline instead (QEMU's
 * {@code -icount sleep=off}). While a deadline is pending a poller kicks the vCPU every {@code pollMillis} so a
 * guest spinning without exits still sees its timer. The time any device or RDTSC reads is therefore a function
 * of the instruction count; where an expiry is delivered depends on when the vCPU came back to its loop, and the
 * recorder logs that position as it logs every injected interrupt. As the ranked-above-the-soft-CPU exit handler
 * for RDTSC/RDTSCP and MSR 0x10 it gives the guest this TSC.
 * <p>
 * <b>Host time</b> (KVM, or {@code source=HOST}): nanoseconds since {@link #attach} from {@link System#nanoTime};
 * the guest TSC is the backend's, and a scheduler thread runs deadlines.
 */
@Component(name = "pcm.clock", configurationPid = "pcm.clock", service = {GuestClock.class, ExitHandler.class, VcpuTimeSource.class},
        property = {ExitHandler.EXIT_KINDS + "=NONDETERMINISTIC_INSN", ExitHandler.EXIT_KINDS + "=MSR_READ",
                "service.ranking:Integer=-900"})
@Designate(ocd = ClockConfig.class)
public final class KernelGuestClock implements GuestClock, ExitHandler, VcpuTimeSource {

    private static final Logger LOG = LoggerFactory.getLogger(KernelGuestClock.class);
    private static final int MSR_TSC = 0x10;

    private static final java.util.concurrent.atomic.AtomicInteger INSTANCES = new java.util.concurrent.atomic.AtomicInteger();
    /** Which instance this is (logged): DS may replace a component's instance; devices and the VM must share one. */
    private final int instance = INSTANCES.incrementAndGet();
    private final java.util.concurrent.atomic.AtomicBoolean unattachedNoted = new java.util.concurrent.atomic.AtomicBoolean();
    private final DeadlineQueue deadlines = new DeadlineQueue();
    private volatile ClockConfig.Source source = ClockConfig.Source.AUTO;
    private volatile long tscHz = 2_000_000_000L;
    private volatile int tscPerInstruction = 2;
    private volatile int pollMillis = 1;

    // The running VM's time; written under 'this'
    private volatile boolean instructionTime;
    private volatile long instructions;      // last reported count
    private volatile long skippedTicks;      // idle jumps, and the time of the VMs before this one
    private volatile long hostStart = System.nanoTime();
    private volatile long frozenNanos;       // the time when no VM runs
    private volatile boolean attached;
    private volatile Runnable kick = () -> {};
    private Thread worker;

    public KernelGuestClock() {
    }

    /** For tests: a configured clock without a framework. */
    public KernelGuestClock(ClockConfig config) {
        configure(config);
    }

    @Activate
    @Modified
    void configure(ClockConfig config) {
        source = config.source();
        tscHz = config.tscHz();
        tscPerInstruction = Math.max(1, config.tscPerInstruction());
        pollMillis = Math.max(1, config.pollMillis());
    }

    @Deactivate
    void deactivate() {
        LOG.info("guest clock #{} deactivated", instance);
        detach();
    }

    // ---------------------------------------------------------------- GuestClock

    @Override
    public long nanos() {
        if (!attached) return frozenNanos;
        if (instructionTime) return GuestClock.ticksToNanos(currentTicks(), tscHz);
        return System.nanoTime() - hostStart;
    }

    @Override
    public long tscHz() {
        return tscHz;
    }

    @Override
    public long tsc() {
        if (attached && instructionTime) return currentTicks();
        return GuestClock.nanosToTicks(nanos(), tscHz);
    }

    @Override
    public Deadline schedule(long deadlineNanos, Runnable task) {
        Deadline d = deadlines.add(deadlineNanos, task);
        // Diagnostics for stop 22's open KVM case (no timer interrupt at all): a timer on a clock no VM drives is
        // normal before a start, suspicious while a guest runs on another instance. Once per instance.
        if (!attached && unattachedNoted.compareAndSet(false, true)) {
            LOG.info("guest clock #{}: a timer was scheduled while no VM drives this clock; it runs once one attaches", instance);
        }
        if (deadlineNanos <= nanos() && attached && instructionTime) kick.run(); // due now: the loop runs it at once
        return d;
    }

    @Override
    public String toString() {
        return "guest clock #" + instance + (attached ? instructionTime ? " (instruction time)" : " (host time)" : " (no VM)");
    }

    /** Whether the running VM is on instruction time. */
    public boolean instructionTime() {
        return attached && instructionTime;
    }

    @Override
    public boolean countsInstructions() {
        return instructionTime();
    }

    private long currentTicks() {
        return instructions * tscPerInstruction + skippedTicks;
    }

    // ---------------------------------------------------------------- VcpuTimeSource

    @Override
    public synchronized void attach(boolean exactCount, Runnable kick) {
        stopWorker();
        this.kick = kick;
        // Time goes on from where the last VM left it (GuestClock: never decreases): devices keep the times of
        // their last expiries across a VM's stop and start, and a clock restarting at 0 held their timers back
        // by as long as the previous VM had run.
        instructions = 0;
        long carried = GuestClock.nanosToTicks(frozenNanos, tscHz);
        if (GuestClock.ticksToNanos(carried, tscHz) < frozenNanos) carried++;   // rounding must not step back
        skippedTicks = carried;
        hostStart = System.nanoTime() - frozenNanos;
        instructionTime = exactCount && source == ClockConfig.Source.AUTO;
        attached = true;
        worker = Thread.ofPlatform().daemon().name("pcm-clock").unstarted(instructionTime ? this::poll : this::hostSchedule);
        worker.start();
        LOG.info("guest time: {} (guest clock #{}, {} timer(s) pending)", instructionTime ? "retired instructions x " + tscPerInstruction
                + " TSC ticks at " + tscHz + " Hz" : "the host clock", instance, deadlines.size());
    }

    @Override
    public synchronized void detach() {
        if (!attached) return;
        frozenNanos = nanos();
        attached = false;
        kick = () -> {};
        stopWorker();
        deadlines.clear();
    }

    private void stopWorker() {
        Thread t = worker;
        worker = null;
        if (t == null) return;
        t.interrupt();
        synchronized (deadlines) {
            deadlines.notifyAll();
        }
        try {
            t.join(2_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void advance(long count) {
        if (!attached || !instructionTime) return;
        if (count > instructions) instructions = count;
        runDue();
    }

    @Override
    public boolean idle() {
        if (!attached || !instructionTime) return false;
        long next = deadlines.earliest();
        if (next == Long.MAX_VALUE) return false;
        long now = nanos();
        if (next > now) {
            long target = GuestClock.nanosToTicks(next, tscHz);
            if (GuestClock.ticksToNanos(target, tscHz) < next) target++; // the first tick at or after the deadline
            skippedTicks += Math.max(0, target - currentTicks());
        }
        runDue();
        return true;
    }

    private void runDue() {
        List<Runnable> due = deadlines.takeDue(nanos());
        for (Runnable r : due) run(r);
    }

    private static void run(Runnable task) {
        try {
            task.run();
        } catch (RuntimeException e) {
            LOG.warn("a timer task failed", e);
        }
    }

    /** Instruction time: brings the vCPU back to its loop regularly while something waits for guest time. */
    private void poll() {
        Thread self = Thread.currentThread();
        while (worker == self && !self.isInterrupted()) {
            try {
                synchronized (deadlines) {
                    if (deadlines.isEmpty()) deadlines.wait(100);
                }
                if (!deadlines.isEmpty()) {
                    kick.run();
                    Thread.sleep(pollMillis);
                }
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /** Host time: waits for the earliest deadline and runs what is due. */
    private void hostSchedule() {
        Thread self = Thread.currentThread();
        while (worker == self && !self.isInterrupted()) {
            try {
                long wait;
                synchronized (deadlines) {
                    long next = deadlines.earliest();
                    wait = next == Long.MAX_VALUE ? 100_000_000L : next - nanos();
                    if (wait > 0) {
                        deadlines.wait(Math.max(1, wait / 1_000_000L), (int) (wait % 1_000_000L));
                        continue;
                    }
                }
                runDue();
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    // ---------------------------------------------------------------- ExitHandler: the TSC on instruction time

    @Override
    public ExitResult handle(VmExit exit, ExitContext context) {
        if (!instructionTime()) return ExitResult.pass();
        return switch (exit) {
            case VmExit.Nondeterministic n when n.insn() == VmExit.Insn.RDTSC || n.insn() == VmExit.Insn.RDTSCP -> {
                long count = context.instructionCount();
                if (count > instructions) instructions = count;
                yield ExitResult.value(currentTicks());
            }
            case VmExit.MsrRead m when m.index() == MSR_TSC -> ExitResult.value(currentTicks());
            default -> ExitResult.pass();
        };
    }
}
