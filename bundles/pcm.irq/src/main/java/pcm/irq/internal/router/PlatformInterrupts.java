package pcm.irq.internal.router;

import java.util.concurrent.atomic.AtomicReference;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import pcm.core.api.irq.InterruptController;
import pcm.irq.api.IoApic;
import pcm.irq.api.LocalApic;

/**
 * The platform's interrupt wiring as devices and the vCPU loop see it: the {@link InterruptController} ranked
 * above the PIC. An ISA line goes to both the 8259 pair and the IOAPIC pin the MADT names for it, as on a PC;
 * the CPU takes its interrupts from the local APIC (which passes the 8259's output through LINT0 in ExtINT mode),
 * or straight from the PIC while no local APIC is present. Each part is optional and may be swapped at run time.
 */
@Component(name = "pcm.irq.router", service = InterruptController.class, property = "service.ranking:Integer=100")
public final class PlatformInterrupts implements InterruptController {

    private final AtomicReference<InterruptController> pic = new AtomicReference<>();
    private final AtomicReference<IoApic> ioapic = new AtomicReference<>();
    private final AtomicReference<LocalApic> lapic = new AtomicReference<>();
    private volatile Runnable pendingListener;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY,
            target = "(component.name=pcm.irq.pic)")
    void bindPic(InterruptController c) {
        pic.set(c);
        Runnable l = pendingListener;
        if (l != null) c.setPendingListener(l);
    }

    void unbindPic(InterruptController c) {
        pic.compareAndSet(c, null);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindIoApic(IoApic a) {
        ioapic.set(a);
    }

    void unbindIoApic(IoApic a) {
        ioapic.compareAndSet(a, null);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindLocalApic(LocalApic a) {
        lapic.set(a);
        Runnable l = pendingListener;
        if (l != null) a.setPendingListener(l);
    }

    void unbindLocalApic(LocalApic a) {
        lapic.compareAndSet(a, null);
    }

    @Override
    public void setIrq(int line, boolean high) {
        InterruptController p = pic.get();
        if (p != null) p.setIrq(line, high);
        IoApic io = ioapic.get();
        if (io != null && line >= 0 && line < 16) io.setPin(io.pinOfIsaIrq(line), high);
    }

    @Override
    public void pulseIrq(int line) {
        InterruptController p = pic.get();
        if (p != null) p.pulseIrq(line);
        IoApic io = ioapic.get();
        if (io != null && line >= 0 && line < 16) {
            int pin = io.pinOfIsaIrq(line);
            io.setPin(pin, true);
            io.setPin(pin, false);
        }
    }

    @Override
    public boolean hasPendingInterrupt() {
        LocalApic a = lapic.get();
        if (a != null) return a.hasPendingInterrupt();
        InterruptController p = pic.get();
        return p != null && p.hasPendingInterrupt();
    }

    @Override
    public int acknowledge() {
        LocalApic a = lapic.get();
        if (a != null) return a.acknowledge();
        InterruptController p = pic.get();
        return p == null ? -1 : p.acknowledge();
    }

    @Override
    public void setPendingListener(Runnable listener) {
        pendingListener = listener;
        InterruptController p = pic.get();
        if (p != null) p.setPendingListener(listener);
        LocalApic a = lapic.get();
        if (a != null) a.setPendingListener(listener);
    }
}
