package pcm.irq.internal.ioapic;

import java.lang.annotation.Annotation;

import pcm.irq.api.LocalApic;

/** Package access to the IOAPIC for tests of other packages. */
public final class IoapicTesting {
    private IoapicTesting() {}

    public static IoapicDevice device(LocalApic apic) {
        IoapicDevice d = new IoapicDevice();
        d.activate(new IoapicDevice.Config() {
            public Class<? extends Annotation> annotationType() { return IoapicDevice.Config.class; }
            public int isaIrq0Pin() { return 2; }
        });
        d.bindLocalApic(apic);
        return d;
    }
}
