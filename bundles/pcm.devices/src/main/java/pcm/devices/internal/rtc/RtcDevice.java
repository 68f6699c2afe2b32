package pcm.devices.internal.rtc;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

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

import pcm.core.api.bus.IoDevice;
import pcm.core.api.bus.IoRange;
import pcm.core.api.irq.InterruptController;
import pcm.core.api.time.GuestClock;

/**
 * The CMOS RTC on ports 0x70/0x71 ({@link Mc146818}), IRQ 8. Its clock is the configured start time plus the
 * platform's {@link GuestClock}. Its values reach the guest only through port reads, which are PIO_IN exits: the
 * recorder logs each answer like every other port read, so a replay sees the same times.
 * <p>
 * IRQ 8 is held high while an enabled flag of register C is set and dropped when the guest reads C (the
 * MC146818's IRQ output is a level; the ISA line is edge-triggered at the 8259 and the IOAPIC).
 */
@Component(name = "pcm.devices.rtc", service = IoDevice.class)
@Designate(ocd = RtcDevice.Config.class)
public final class RtcDevice implements IoDevice {

    @ObjectClassDefinition(name = "PCM CMOS RTC", description = "MC146818 real-time clock and CMOS RAM on ports 0x70/0x71, IRQ 8")
    public @interface Config {
        @AttributeDefinition(name = "Start time (s since 1970, UTC)", description = "The clock at guest time 0; -1: the host's "
                + "clock when the device starts (a nondeterministic input, logged as the guest reads it)")
        long startEpochSeconds() default -1;

        @AttributeDefinition(name = "Extended memory (KiB)", min = "0", max = "65535",
                description = "CMOS bytes 0x17/0x18 and 0x30/0x31 (memory above 1 MiB, up to 64 MiB); Linux takes the e820 map instead")
        int extendedMemoryKiB() default 65535;
    }

    static final int IRQ = 8;
    private static final IoRange PORTS = IoRange.pio(0x70, 2);

    private final Object lock = new Object();
    private final AtomicReference<GuestClock> clock = new AtomicReference<>();
    private final AtomicReference<InterruptController> interrupts = new AtomicReference<>();
    private Mc146818 rtc = new Mc146818(System.currentTimeMillis() / 1000, 640, 65535);
    private boolean irqHigh;
    private GuestClock.Deadline scheduled;
    private long scheduledAt = Long.MAX_VALUE;

    @Activate
    void activate(Config config) {
        long start = config.startEpochSeconds() >= 0 ? config.startEpochSeconds() : System.currentTimeMillis() / 1000;
        synchronized (lock) {
            rtc = new Mc146818(start, 640, config.extendedMemoryKiB());
            rtc.startAt(now());
        }
    }

    @Deactivate
    void deactivate() {
        synchronized (lock) {
            cancel();
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindClock(GuestClock c) {
        clock.set(c);
        update();
    }

    void unbindClock(GuestClock c) {
        if (clock.compareAndSet(c, null)) {
            synchronized (lock) {
                cancel();
            }
        }
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindInterruptController(InterruptController c) {
        interrupts.set(c);
    }

    void unbindInterruptController(InterruptController c) {
        interrupts.compareAndSet(c, null);
    }

    @Override
    public List<IoRange> ranges() {
        return List.of(PORTS);
    }

    @Override
    public String name() {
        return "cmos-rtc";
    }

    @Override
    public long read(IoRange range, long offset, int size) {
        int value;
        synchronized (lock) {
            value = range.base() + offset == 0x70 ? 0xFF : rtc.readData(now()); // the index port is write-only
        }
        update();
        return value & (size >= 8 ? 0xFF : (1L << (8 * size)) - 1) & 0xFF;
    }

    @Override
    public void write(IoRange range, long offset, int size, long value) {
        synchronized (lock) {
            if (range.base() + offset == 0x70) rtc.writeIndex((int) value & 0xFF);
            else rtc.writeData((int) value & 0xFF, now());
        }
        update();
    }

    /** Whether the last write to port 0x70 set the NMI-disable bit. */
    public boolean nmiDisabled() {
        synchronized (lock) {
            return rtc.nmiDisabled();
        }
    }

    public Mc146818.State save() {
        synchronized (lock) {
            return rtc.save();
        }
    }

    public void restore(Mc146818.State state) {
        synchronized (lock) {
            rtc.restore(state);
            cancel();
        }
        update();
    }

    private long now() {
        GuestClock c = clock.get();
        return c == null ? 0 : c.nanos();
    }

    /** Brings IRQ 8 to the level register C asks for and keeps one deadline at the next flag (outside the lock for IRQs). */
    private void update() {
        boolean level, changed;
        synchronized (lock) {
            long now = now();
            level = rtc.irqAsserted(now);
            changed = level != irqHigh;
            irqHigh = level;
            long next = level ? Long.MAX_VALUE : rtc.nextInterrupt(now); // while asserted nothing new can be signalled
            if (next != scheduledAt) {
                cancel();
                GuestClock c = clock.get();
                if (c != null && next != Long.MAX_VALUE) {
                    scheduledAt = next;
                    scheduled = c.schedule(next, this::expired);
                }
            }
        }
        if (changed) {
            InterruptController ic = interrupts.get();
            if (ic != null) ic.setIrq(IRQ, level);
        }
    }

    private void expired() {
        synchronized (lock) {
            scheduled = null;
            scheduledAt = Long.MAX_VALUE;
        }
        update();
    }

    private void cancel() {
        if (scheduled != null) scheduled.cancel();
        scheduled = null;
        scheduledAt = Long.MAX_VALUE;
    }
}
