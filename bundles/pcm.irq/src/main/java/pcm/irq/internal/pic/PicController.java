package pcm.irq.internal.pic;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.core.api.bus.IoDevice;
import pcm.core.api.bus.IoRange;
import pcm.core.api.irq.InterruptController;
import pcm.irq.internal.pic.Pic8259.Unit;

/**
 * The PIC pair as the platform's {@link InterruptController} and as an {@link IoDevice} on ports
 * 0x20–0x21, 0xA0–0xA1 and the ELCR at 0x4D0–0x4D1. Every call takes one lock around the model, so
 * the vCPU thread (port I/O, INTA) and device threads (IRQ lines) can call it concurrently. The
 * pending listener runs after the lock is released, once per rising edge of the INT output.
 * <p>
 * Lock order: a device may call {@link #setIrq} while holding its own lock; this class never
 * calls into a device, so no cycle arises.
 */
@Component(name = "pcm.irq.pic", service = {InterruptController.class, IoDevice.class})
public final class PicController implements InterruptController, IoDevice {

    private static final Logger LOG = LoggerFactory.getLogger(PicController.class);

    private static final IoRange MASTER = IoRange.pio(0x20, 2);
    private static final IoRange SLAVE = IoRange.pio(0xA0, 2);
    private static final IoRange ELCR = IoRange.pio(0x4D0, 2);
    private static final List<IoRange> RANGES = List.of(MASTER, SLAVE, ELCR);

    private final Object lock = new Object();
    private final Pic8259 pic = new Pic8259();
    private volatile Runnable pendingListener;

    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong spurious = new AtomicLong();

    @Override
    public List<IoRange> ranges() {
        return RANGES;
    }

    @Override
    public String name() {
        return "pic8259-pair";
    }

    @Override
    public void setIrq(int line, boolean high) {
        boolean rose;
        synchronized (lock) {
            boolean before = pic.interruptPending();
            pic.setIrq(line, high);
            rose = !before && pic.interruptPending();
        }
        if (rose) notifyPending();
    }

    @Override
    public void pulseIrq(int line) {
        boolean rose;
        synchronized (lock) {
            boolean before = pic.interruptPending();
            pic.setIrq(line, true);
            pic.setIrq(line, false);
            rose = !before && pic.interruptPending();
        }
        if (rose) notifyPending();
    }

    @Override
    public boolean hasPendingInterrupt() {
        synchronized (lock) {
            return pic.interruptPending();
        }
    }

    /**
     * Returns -1 when nothing is pending (the vCPU asked too late); otherwise the vector of the
     * INTA cycle, which may be the spurious IRQ 15 vector if a cascaded request vanished.
     */
    @Override
    public int acknowledge() {
        int vector;
        boolean rose;
        boolean spuriousAck;
        synchronized (lock) {
            if (!pic.interruptPending()) return -1;
            vector = pic.acknowledge();
            spuriousAck = pic.lastAcknowledgeSpurious();
            // with auto-EOI (or a raise that raced with this INTA) the next request is pending at once
            rose = pic.interruptPending();
        }
        acknowledged.incrementAndGet();
        if (spuriousAck) {
            spurious.incrementAndGet();
            LOG.debug("spurious INTA, vector 0x{}", Integer.toHexString(vector));
        }
        if (rose) notifyPending();
        return vector;
    }

    @Override
    public void setPendingListener(Runnable listener) {
        this.pendingListener = listener;
        if (listener != null && hasPendingInterrupt()) listener.run();
    }

    @Override
    public long read(IoRange range, long offset, int size) {
        long value = 0;
        synchronized (lock) {
            for (int i = 0; i < size; i++) {
                long port = range.base() + offset + i;
                value |= (long) (readPort(port) & 0xFF) << (8 * i);
            }
        }
        return value;
    }

    @Override
    public void write(IoRange range, long offset, int size, long value) {
        boolean rose;
        synchronized (lock) {
            boolean before = pic.interruptPending();
            for (int i = 0; i < size; i++) {
                writePort(range.base() + offset + i, (int) (value >>> (8 * i)) & 0xFF);
            }
            rose = !before && pic.interruptPending();
        }
        if (rose) notifyPending();
    }

    /** INTA cycles delivered so far (for the shell). */
    public long acknowledgedCount() {
        return acknowledged.get();
    }

    /** INTA cycles that produced a spurious vector (IRQ 7 / IRQ 15). */
    public long spuriousCount() {
        return spurious.get();
    }

    public Pic8259.State save() {
        synchronized (lock) {
            return pic.save();
        }
    }

    public void restore(Pic8259.State state) {
        boolean pending;
        synchronized (lock) {
            pic.restore(state);
            pending = pic.interruptPending();
        }
        if (pending) notifyPending();
    }

    private int readPort(long port) {
        if (port == 0x20 || port == 0x21) return pic.read(Unit.MASTER, (int) port & 1);
        if (port == 0xA0 || port == 0xA1) return pic.read(Unit.SLAVE, (int) port & 1);
        if (port == 0x4D0) return pic.readElcr(Unit.MASTER);
        if (port == 0x4D1) return pic.readElcr(Unit.SLAVE);
        return 0xFF;
    }

    private void writePort(long port, int value) {
        if (port == 0x20 || port == 0x21) pic.write(Unit.MASTER, (int) port & 1, value);
        else if (port == 0xA0 || port == 0xA1) pic.write(Unit.SLAVE, (int) port & 1, value);
        else if (port == 0x4D0) pic.writeElcr(Unit.MASTER, value);
        else if (port == 0x4D1) pic.writeElcr(Unit.SLAVE, value);
    }

    private void notifyPending() {
        Runnable listener = pendingListener;
        if (listener != null) listener.run();
    }
}
