package pcm.irq.internal.pit;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.core.api.bus.IoDevice;
import pcm.core.api.bus.IoRange;
import pcm.core.api.irq.InterruptController;
import pcm.core.api.time.GuestClock;

/**
 * The 8254 on ports 0x40–0x43 (and the timer bits of port 0x61). A daemon thread turns rising
 * edges of channel 0's output into {@link InterruptController#pulseIrq(int) pulses of IRQ 0}. If
 * the thread falls behind, or the programmed rate exceeds {@link Config#maxRateHz()}, the missed
 * edges are coalesced into one pulse (and counted) instead of being queued.
 * <p>
 * The interrupt controller is an optional, dynamic, greedy reference: the timer keeps counting
 * while no controller is bound and survives a controller being swapped.
 * <p>
 * Time: with the platform's {@link GuestClock} bound (issue 14), the counters run on guest time and each IRQ 0
 * edge is a deadline on that clock (on the soft CPU a function of the instruction count); the host thread then
 * idles. Without one (unit tests, embedders) they run on the host clock and the thread delivers the edges.
 */
@Component(name = "pcm.irq.pit", service = IoDevice.class)
@Designate(ocd = PitDevice.Config.class)
public final class PitDevice implements IoDevice {

    @ObjectClassDefinition(name = "PCM PIT 8254", description = "Programmable interval timer; channel 0 drives IRQ 0")
    public @interface Config {
        @AttributeDefinition(name = "Maximum IRQ 0 rate (Hz)", min = "1",
                description = "Channel 0 edges faster than this are coalesced into one IRQ 0 pulse")
        int maxRateHz() default 10_000;

        @AttributeDefinition(name = "Port 0x61", description = "Claim system control port B (channel 2 gate and output)")
        boolean systemControlPortB() default true;
    }

    private static final Logger LOG = LoggerFactory.getLogger(PitDevice.class);
    private static final int IRQ = 0;
    private static final IoRange COUNTERS = IoRange.pio(0x40, 4);
    private static final IoRange PORT_B = IoRange.pio(0x61, 1);

    private final LongSupplier hostClock;
    private final LongSupplier clock;
    private volatile GuestClock guestClock;
    private GuestClock.Deadline deadline;        // guarded by lock: the next IRQ 0 edge on guest time
    private long guestLastPulse = Long.MIN_VALUE / 2;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Pit8254 pit;
    private final AtomicReference<InterruptController> interrupts = new AtomicReference<>();
    private final AtomicLong pulses = new AtomicLong();
    private final AtomicLong coalesced = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();

    private volatile List<IoRange> ranges = List.of(COUNTERS, PORT_B);
    private long minIntervalNanos;
    private boolean running;      // guarded by lock
    private Thread thread;

    public PitDevice() {
        this(System::nanoTime);
    }

    /** For tests: a different time source (the scheduler thread still waits in real time). */
    PitDevice(LongSupplier clock) {
        this.hostClock = clock;
        this.clock = () -> {
            GuestClock g = guestClock;
            return g != null ? g.nanos() : hostClock.getAsLong();
        };
        this.pit = new Pit8254(this.clock);
    }

    @Activate
    void activate(Config config) {
        ranges = config.systemControlPortB() ? List.of(COUNTERS, PORT_B) : List.of(COUNTERS);
        lock.lock();
        try {
            minIntervalNanos = 1_000_000_000L / Math.max(1, config.maxRateHz());
            running = true;
        } finally {
            lock.unlock();
        }
        thread = Thread.ofPlatform().daemon().name("pcm-pit").unstarted(this::schedule);
        thread.start();
        LOG.debug("PIT active, IRQ 0 capped at {} Hz", config.maxRateHz());
    }

    @Deactivate
    void deactivate() {
        lock.lock();
        try {
            running = false;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        Thread t = thread;
        if (t != null) {
            try {
                t.join(TimeUnit.SECONDS.toMillis(2));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            thread = null;
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
               policyOption = ReferencePolicyOption.GREEDY)
    void bindInterruptController(InterruptController controller) {
        interrupts.set(controller);
    }

    void unbindInterruptController(InterruptController controller) {
        interrupts.compareAndSet(controller, null);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
               policyOption = ReferencePolicyOption.GREEDY)
    void bindGuestClock(GuestClock c) {
        lock.lock();
        try {
            long before = clock.getAsLong();
            guestClock = c;
            keepCountedTime(before);
            resyncGuestDeadline();
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        LOG.info("pit8254: IRQ 0 on the guest clock {}", c);
    }

    void unbindGuestClock(GuestClock c) {
        lock.lock();
        try {
            if (guestClock != c) return;
            long before = clock.getAsLong();
            guestClock = null;
            keepCountedTime(before);
            cancelGuestDeadline();
            changed.signalAll();   // the host thread takes over
        } finally {
            lock.unlock();
        }
        LOG.info("pit8254: IRQ 0 on host time (no guest clock)");
    }

    /** The clock source just changed (under lock): counts and the rate cap carry over onto the new timeline. */
    private void keepCountedTime(long before) {
        long delta = clock.getAsLong() - before;
        if (delta == 0) return;
        pit.shiftTime(delta);
        guestLastPulse += delta;   // (the host thread's own last pulse is on host time, which it keeps)
    }

    @Override
    public List<IoRange> ranges() {
        return ranges;
    }

    @Override
    public String name() {
        return "pit8254";
    }

    @Override
    public long read(IoRange range, long offset, int size) {
        long value = 0;
        lock.lock();
        try {
            for (int i = 0; i < size; i++) {
                long port = range.base() + offset + i;
                int b;
                if (port >= 0x40 && port <= 0x43) b = pit.read((int) port - 0x40);
                else if (port == 0x61) b = pit.readPortB();
                else b = 0xFF;
                value |= (long) (b & 0xFF) << (8 * i);
            }
        } finally {
            lock.unlock();
        }
        return value;
    }

    @Override
    public void write(IoRange range, long offset, int size, long value) {
        lock.lock();
        try {
            for (int i = 0; i < size; i++) {
                long port = range.base() + offset + i;
                int b = (int) (value >>> (8 * i)) & 0xFF;
                if (port >= 0x40 && port <= 0x43) pit.write((int) port - 0x40, b);
                else if (port == 0x61) pit.writePortB(b);
            }
            changed.signalAll();   // the scheduler recomputes its next deadline
            resyncGuestDeadline();
        } finally {
            lock.unlock();
        }
    }

    /** IRQ 0 pulses delivered so far. */
    public long pulseCount() {
        return pulses.get();
    }

    /** Channel 0 edges folded into another pulse (rate cap or a late scheduler). */
    public long coalescedCount() {
        return coalesced.get();
    }

    public Pit8254.State save() {
        lock.lock();
        try {
            return pit.save();
        } finally {
            lock.unlock();
        }
    }

    public void restore(Pit8254.State state) {
        lock.lock();
        try {
            pit.restore(state);
            changed.signalAll();
            resyncGuestDeadline();
        } finally {
            lock.unlock();
        }
    }

    private void schedule() {
        long lastPulse = Long.MIN_VALUE / 2;
        lock.lock();
        try {
            while (running) {
                if (!onClockDeadlines() && deadline != null) cancelGuestDeadline(); // (a detach dropped it anyway)
                if (onClockDeadlines()) {          // instruction time drives IRQ 0 through clock deadlines
                    if (deadline == null) resyncGuestDeadline();   // it just switched to instruction time
                    changed.awaitNanos(MODE_POLL_NANOS);            // notices the switch back to host time
                    continue;
                }
                long now = clock.getAsLong();
                boolean capOpen = now - lastPulse >= minIntervalNanos;
                if (capOpen) {
                    long edges = pit.takeRisingEdges(0, now);
                    if (edges > 0) {
                        lastPulse = now;
                        lock.unlock();
                        try {
                            deliver(edges);
                        } finally {
                            lock.lock();
                        }
                        continue;
                    }
                }
                long wake;
                if (!capOpen && pit.pendingRisingEdges(0, now) > 0) {
                    wake = lastPulse + minIntervalNanos;     // an edge waits for the rate cap
                } else {
                    long next = pit.nextRisingEdge(0, now);
                    wake = next == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(next, lastPulse + minIntervalNanos);
                }
                if (wake == Long.MAX_VALUE) changed.await();
                else if (wake > now) changed.awaitNanos(wake - now);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.error("PIT scheduler failed; IRQ 0 stops", e);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Whether IRQ 0 goes through deadlines on the guest clock: only while it counts instructions (the soft CPU). On
     * host time (KVM) this device's own thread times IRQ 0 on the guest clock's nanoseconds, as it did before the
     * platform had a clock: with clock deadlines there, the SVM host's KVM guest got no timer interrupt at all in 3
     * of 4 runs at the end of stop 22 (cause not found; docs/linux-boot.md), while this thread had never failed.
     */
    private boolean onClockDeadlines() {
        GuestClock g = guestClock;
        return g != null && g.countsInstructions();
    }

    private static final long MODE_POLL_NANOS = 10_000_000L;

    /** Keeps one guest-clock deadline at the next IRQ 0 edge, no sooner than the rate cap allows (under lock). */
    private void resyncGuestDeadline() {
        cancelGuestDeadline();
        GuestClock g = guestClock;
        if (g == null || !g.countsInstructions()) return;   // host time: the thread times IRQ 0
        long now = g.nanos();
        long next = pit.pendingRisingEdges(0, now) > 0 ? now : pit.nextRisingEdge(0, now);
        if (next == Long.MAX_VALUE) return;
        long at = Math.max(next, guestLastPulse + minIntervalNanos);
        GuestClock.Deadline[] self = new GuestClock.Deadline[1];
        self[0] = g.schedule(at, () -> guestEdge(self[0]));
        deadline = self[0];
    }

    private void cancelGuestDeadline() {
        if (deadline != null) deadline.cancel();
        deadline = null;
    }

    private void guestEdge(GuestClock.Deadline which) {
        long edges;
        lock.lock();
        try {
            if (which != deadline) return;
            deadline = null;
            if (!onClockDeadlines()) return;               // host time now: the thread times IRQ 0
            long now = clock.getAsLong();
            edges = pit.takeRisingEdges(0, now);
            if (edges > 0) guestLastPulse = now;
            resyncGuestDeadline();
        } finally {
            lock.unlock();
        }
        if (edges > 0) deliver(edges);
    }

    private void deliver(long edges) {
        pulses.incrementAndGet();
        if (edges > 1) coalesced.addAndGet(edges - 1);
        InterruptController controller = interrupts.get();
        if (controller == null) return;
        try {
            controller.pulseIrq(IRQ);
        } catch (RuntimeException e) {
            // the timer must outlive a failing controller or listener
            if (failures.getAndIncrement() == 0) LOG.warn("IRQ 0 delivery failed (further failures only counted)", e);
        }
    }
}
