package pcm.irq.internal.lapic;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantLock;

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
import pcm.irq.api.EoiListener;
import pcm.irq.api.LocalApic;

/**
 * The local APIC of vCPU 0 in xAPIC mode at 0xFEE00000 ({@link Lapic} is the register model). Its timer runs on
 * the platform's {@link GuestClock}; the 8259's output reaches it through LINT0 in ExtINT mode (the PIC is looked
 * up by component name). EOIs of level-triggered vectors go to every {@link EoiListener} (the IOAPIC).
 * <p>
 * Locking: one lock around the model; the PIC, the EOI listeners and the pending listener are called after it
 * is released, so an IOAPIC that delivers while handling an EOI cannot deadlock with it.
 */
@Component(name = "pcm.irq.lapic", service = {IoDevice.class, LocalApic.class})
@Designate(ocd = LapicDevice.Config.class)
public final class LapicDevice implements IoDevice, LocalApic {

    @ObjectClassDefinition(name = "PCM local APIC", description = "xAPIC of vCPU 0 at 0xFEE00000: timer, TPR, EOI, self-IPI")
    public @interface Config {
        @AttributeDefinition(name = "Timer frequency (Hz)", min = "1000", max = "8000000000",
                description = "The rate the timer counts at before the divide configuration (the bus clock)")
        long timerHz() default 1_000_000_000L;

        @AttributeDefinition(name = "Minimum timer period (ns)", min = "0",
                description = "Periodic expiries closer than this are coalesced into one interrupt (a guest programming "
                        + "count 1 would otherwise ask for an interrupt every nanosecond)")
        long minTimerPeriodNanos() default 10_000L;

        @AttributeDefinition(name = "Firmware set-up", description = "Start as a PC BIOS leaves the APIC: enabled, LINT0 "
                + "ExtINT (8259 virtual wire), LINT1 NMI. Off: the architectural reset state (every LVT masked)")
        boolean firmwareSetup() default true;
    }

    public static final long BASE = 0xFEE0_0000L;
    private static final IoRange RANGE = IoRange.mmio(BASE, 0x1000);
    private static final Logger LOG = LoggerFactory.getLogger(LapicDevice.class);

    private final ReentrantLock lock = new ReentrantLock();
    private Lapic apic = new Lapic(1_000_000_000L);
    private long minTimerPeriodNanos = 10_000L;
    private final AtomicReference<GuestClock> clock = new AtomicReference<>();
    private final AtomicReference<InterruptController> pic = new AtomicReference<>();
    private final List<EoiListener> eoiListeners = new CopyOnWriteArrayList<>();
    private volatile Runnable pendingListener;

    // timer scheduling, under lock
    private GuestClock.Deadline scheduled;
    private long scheduledAt = Long.MAX_VALUE;
    private long lastExpiry = Long.MIN_VALUE / 2;

    public LapicDevice() {
    }

    /** For tests: a configured device on a given clock. */
    LapicDevice(Config config, GuestClock clock) {
        activate(config);
        this.clock.set(clock);
    }

    @Activate
    void activate(Config config) {
        lock.lock();
        try {
            apic = new Lapic(config.timerHz());
            if (config.firmwareSetup()) apic.firmwareSetup();
            minTimerPeriodNanos = Math.max(0, config.minTimerPeriodNanos());
        } finally {
            lock.unlock();
        }
    }

    @Deactivate
    void deactivate() {
        lock.lock();
        try {
            cancelTimer();
        } finally {
            lock.unlock();
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindClock(GuestClock c) {
        clock.set(c);
        lock.lock();
        try {
            cancelTimer();
            resyncTimer();
        } finally {
            lock.unlock();
        }
    }

    void unbindClock(GuestClock c) {
        if (clock.compareAndSet(c, null)) {
            lock.lock();
            try {
                cancelTimer();
            } finally {
                lock.unlock();
            }
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            target = "(component.name=pcm.irq.pic)")
    void bindPic(InterruptController c) {
        pic.set(c);
    }

    void unbindPic(InterruptController c) {
        pic.compareAndSet(c, null);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addEoiListener(EoiListener l) {
        eoiListeners.add(l);
    }

    void removeEoiListener(EoiListener l) {
        eoiListeners.remove(l);
    }

    // ---------------------------------------------------------------- IoDevice

    @Override
    public List<IoRange> ranges() {
        return List.of(RANGE);
    }

    @Override
    public String name() {
        return "lapic";
    }

    @Override
    public long read(IoRange range, long offset, int size) {
        int register = (int) offset & 0xFF0, inRegister = (int) offset & 0xF;
        if (inRegister >= 4) return 0;                    // the upper 12 bytes of each 16-byte slot read 0
        int value;
        List<Integer> eois;
        lock.lock();
        try {
            value = apic.read(register, now());
            eois = apic.takeEois();
        } finally {
            lock.unlock();
        }
        afterChange(eois);
        long v = Integer.toUnsignedLong(value) >>> (8 * inRegister);
        return size >= 8 ? v : v & ((1L << (8 * size)) - 1);
    }

    @Override
    public void write(IoRange range, long offset, int size, long value) {
        if ((offset & 0xF) != 0 || size < 4) return;     // the registers take aligned 32-bit stores only
        List<Integer> eois;
        lock.lock();
        try {
            apic.write((int) offset & 0xFF0, (int) value, now());
            resyncTimer();
            eois = apic.takeEois();
        } finally {
            lock.unlock();
        }
        afterChange(eois);
    }

    // ---------------------------------------------------------------- LocalApic

    @Override
    public boolean deliver(int destination, boolean logical, int deliveryMode, int vector, boolean levelTriggered) {
        boolean taken;
        lock.lock();
        try {
            taken = apic.deliver(destination, logical, deliveryMode, vector, levelTriggered);
        } finally {
            lock.unlock();
        }
        if (taken) notifyPending();
        return taken;
    }

    @Override
    public boolean hasPendingInterrupt() {
        boolean extInt;
        lock.lock();
        try {
            if (apic.deliverableVector() >= 0) return true;
            extInt = apic.extIntEnabled();
        } finally {
            lock.unlock();
        }
        InterruptController p = pic.get();
        return extInt && p != null && p.hasPendingInterrupt();
    }

    @Override
    public int acknowledge() {
        boolean extInt;
        lock.lock();
        try {
            int v = apic.acknowledge();
            if (v >= 0) return v;
            extInt = apic.extIntEnabled();
        } finally {
            lock.unlock();
        }
        InterruptController p = pic.get();
        return extInt && p != null ? p.acknowledge() : -1;  // ExtINT: the 8259 supplies the vector, no IRR/ISR here
    }

    @Override
    public void setPendingListener(Runnable listener) {
        pendingListener = listener;
        if (listener != null && hasPendingInterrupt()) listener.run();
    }

    // ---------------------------------------------------------------- state

    public Lapic.State save() {
        lock.lock();
        try {
            return apic.save();
        } finally {
            lock.unlock();
        }
    }

    public void restore(Lapic.State state) {
        lock.lock();
        try {
            apic.restore(state);
            cancelTimer();
            resyncTimer();
        } finally {
            lock.unlock();
        }
        notifyPending();
    }

    /** Timer interrupts raised, self-IPIs accepted, and messages dropped (NMI/INIT/SIPI, other CPUs). */
    public long[] counters() {
        lock.lock();
        try {
            return new long[] {apic.timerInterrupts(), apic.selfIpis(), apic.droppedIpis()};
        } finally {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------- internals

    private long now() {
        GuestClock c = clock.get();
        return c == null ? 0 : c.nanos();
    }

    /** Keeps exactly one clock deadline at the model's next expiry (under lock). */
    private void resyncTimer() {
        long next = apic.nextTimerExpiry();
        if (next != Long.MAX_VALUE) next = Math.max(next, lastExpiry + minTimerPeriodNanos);
        if (next == scheduledAt) return;
        cancelTimer();
        GuestClock c = clock.get();
        if (next == Long.MAX_VALUE || c == null) return;
        scheduledAt = next;
        GuestClock.Deadline[] self = new GuestClock.Deadline[1];
        self[0] = c.schedule(next, () -> expired(self[0]));
        scheduled = self[0];
    }

    private void cancelTimer() {
        if (scheduled != null) scheduled.cancel();
        scheduled = null;
        scheduledAt = Long.MAX_VALUE;
    }

    private void expired(GuestClock.Deadline which) {
        boolean fired;
        lock.lock();
        try {
            if (which != null && which != scheduled) return;  // replaced meanwhile
            scheduled = null;
            scheduledAt = Long.MAX_VALUE;
            long now = now();
            fired = apic.timerTick(now);
            if (fired) lastExpiry = now;
            resyncTimer();
        } finally {
            lock.unlock();
        }
        if (fired) notifyPending();
    }

    private void afterChange(List<Integer> eois) {
        for (int v : eois) {
            for (EoiListener l : eoiListeners) {
                try {
                    l.endOfInterrupt(v);
                } catch (RuntimeException e) {
                    LOG.warn("EOI listener failed for vector {}", v, e);
                }
            }
        }
        notifyPending();
    }

    private void notifyPending() {
        Runnable l = pendingListener;
        if (l != null && hasPendingInterrupt()) l.run();
    }
}
