package pcm.irq.internal.ioapic;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import pcm.core.api.bus.IoDevice;
import pcm.core.api.bus.IoRange;
import pcm.irq.api.EoiListener;
import pcm.irq.api.IoApic;
import pcm.irq.api.LocalApic;

/**
 * The IOAPIC at 0xFEC00000 (IOREGSEL at +0x00, IOWIN at +0x10), 24 pins from GSI 0, as the MADT describes it.
 * ISA IRQs arrive at the pin of the same number except IRQ 0, which the MADT overrides to GSI 2.
 */
@Component(name = "pcm.irq.ioapic", service = {IoDevice.class, IoApic.class, EoiListener.class})
@Designate(ocd = IoapicDevice.Config.class)
public final class IoapicDevice implements IoDevice, IoApic, EoiListener {

    @ObjectClassDefinition(name = "PCM IOAPIC", description = "82093AA-style IOAPIC at 0xFEC00000, 24 pins, GSI base 0")
    public @interface Config {
        @AttributeDefinition(name = "Pin of ISA IRQ 0", min = "0", max = "23",
                description = "The interrupt source override for the PIT (the MADT says 2)")
        int isaIrq0Pin() default 2;
    }

    public static final long BASE = 0xFEC0_0000L;
    private static final IoRange RANGE = IoRange.mmio(BASE, 0x20);

    private final Object lock = new Object();
    private final Ioapic ioapic = new Ioapic();
    private final AtomicReference<LocalApic> lapic = new AtomicReference<>();
    private final AtomicLong undelivered = new AtomicLong();
    private volatile int irq0Pin = 2;

    @Activate
    void activate(Config config) {
        irq0Pin = config.isaIrq0Pin();
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindLocalApic(LocalApic a) {
        lapic.set(a);
    }

    void unbindLocalApic(LocalApic a) {
        lapic.compareAndSet(a, null);
    }

    @Override
    public List<IoRange> ranges() {
        return List.of(RANGE);
    }

    @Override
    public String name() {
        return "ioapic";
    }

    @Override
    public long read(IoRange range, long offset, int size) {
        long v;
        synchronized (lock) {
            if (offset == 0) v = ioapic.readSelect();
            else if (offset >= 0x10 && offset < 0x14) v = Integer.toUnsignedLong(ioapic.readWindow()) >>> (8 * (offset - 0x10));
            else v = 0;
        }
        return size >= 8 ? v : v & ((1L << (8 * size)) - 1);
    }

    @Override
    public void write(IoRange range, long offset, int size, long value) {
        List<Ioapic.Message> out;
        synchronized (lock) {
            if (offset == 0) ioapic.writeSelect((int) value);
            else if (offset == 0x10 && size >= 4) ioapic.writeWindow((int) value);
            out = ioapic.takeMessages();
        }
        send(out);
    }

    @Override
    public int pins() {
        return Ioapic.PINS;
    }

    @Override
    public void setPin(int pin, boolean asserted) {
        List<Ioapic.Message> out;
        synchronized (lock) {
            ioapic.setPin(pin, asserted);
            out = ioapic.takeMessages();
        }
        send(out);
    }

    @Override
    public int pinOfIsaIrq(int isaIrq) {
        return isaIrq == 0 ? irq0Pin : isaIrq;
    }

    @Override
    public void endOfInterrupt(int vector) {
        List<Ioapic.Message> out;
        synchronized (lock) {
            ioapic.endOfInterrupt(vector);
            out = ioapic.takeMessages();
        }
        send(out);
    }

    public Ioapic.State save() {
        synchronized (lock) {
            return ioapic.save();
        }
    }

    public void restore(Ioapic.State state) {
        synchronized (lock) {
            ioapic.restore(state);
        }
    }

    /** Messages no local APIC took (none bound, or none addressed). */
    public long undeliveredCount() {
        return undelivered.get();
    }

    private void send(List<Ioapic.Message> messages) {
        for (Ioapic.Message m : messages) {
            LocalApic a = lapic.get();
            if (a == null || !a.deliver(m.destination(), m.logical(), m.deliveryMode(), m.vector(), m.level())) undelivered.incrementAndGet();
        }
    }
}
