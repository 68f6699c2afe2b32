package pcm.boot.internal;

import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.boot.api.PlatformDescription;
import pcm.core.api.bus.IoDevice;
import pcm.core.api.bus.IoRange;
import pcm.core.api.vm.Platform;

/**
 * The ACPI PM1a event and control blocks the FADT announces (ports 0x600-0x603 and 0x604-0x605). Writing
 * SLP_TYP=5 (the DSDT's \_S5) with SLP_EN powers the machine off; SCI_EN always reads 1 (the platform has
 * no SMI command port, so it is always in ACPI mode). Other sleep states are not offered by the DSDT and
 * are ignored.
 */
@Component(name = "pcm.boot.pm1", service = IoDevice.class)
public final class Pm1Device implements IoDevice {

    private static final Logger LOG = LoggerFactory.getLogger(Pm1Device.class);
    static final IoRange EVENT = IoRange.pio(PlatformDescription.PM1_EVENT_PORT, 4);
    static final IoRange CONTROL = IoRange.pio(PlatformDescription.PM1_CONTROL_PORT, 2);
    static final int SCI_EN = 1, SLP_EN = 1 << 13, SLP_TYP_SHIFT = 10;

    private final AtomicReference<Platform> platform = new AtomicReference<>();
    private volatile BundleContext context;
    private final Object lock = new Object();
    private int status;  // PM1_STS, write 1 to clear
    private int enable;  // PM1_EN
    private int control = SCI_EN;

    @Activate
    void activate(BundleContext bundleContext) { context = bundleContext; }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void bindPlatform(Platform p) { platform.set(p); }

    void unbindPlatform(Platform p) { platform.compareAndSet(p, null); }

    @Override
    public List<IoRange> ranges() { return List.of(EVENT, CONTROL); }

    @Override
    public String name() { return "acpi-pm1@0x" + Integer.toHexString(PlatformDescription.PM1_EVENT_PORT); }

    @Override
    public long read(IoRange range, long offset, int size) {
        long regs;
        synchronized (lock) {
            regs = range.equals(CONTROL) ? control : (status & 0xFFFFL) | (long) (enable & 0xFFFF) << 16;
        }
        long value = regs >>> (8 * offset);
        return size >= 8 ? value : value & ((1L << (8 * size)) - 1);
    }

    @Override
    public void write(IoRange range, long offset, int size, long value) {
        boolean powerOff = false;
        synchronized (lock) {
            if (range.equals(CONTROL)) {
                int v = merge(control, (int) offset, size, value) & 0xFFFF;
                control = (v & ~SLP_EN) | SCI_EN;
                int type = (v >> SLP_TYP_SHIFT) & 7;
                if ((v & SLP_EN) != 0) {
                    if (type == AcpiTables.SLP_TYP_S5) powerOff = true;
                    else LOG.info("guest asked for sleep type {}, which the DSDT does not offer; ignored", type);
                }
            } else {
                long both = (status & 0xFFFFL) | (long) (enable & 0xFFFF) << 16;
                long written = merge(0, (int) offset, size, value);
                status &= ~(int) (written & 0xFFFF);
                enable = (int) (merge(both, (int) offset, size, value) >>> 16) & 0xFFFF;
            }
        }
        if (powerOff) powerOff();
    }

    /**
     * The bound platform, else looked up now. The binding can be missing: the platform (the VM) depends on the
     * bus, the bus on this device, so SCR may skip binding the platform as a circular reference; when the
     * guest writes S5 the VM is active and the lookup finds it.
     */
    private void powerOff() {
        String reason = "ACPI power-off (S5)";
        Platform p = platform.get();
        if (p != null) {
            p.powerOff(0, reason);
            return;
        }
        BundleContext ctx = context;
        ServiceReference<Platform> ref = ctx == null ? null : ctx.getServiceReference(Platform.class);
        Platform looked = ref == null ? null : ctx.getService(ref);
        if (looked == null) {
            LOG.warn("guest asked for ACPI power-off (S5) but there is no platform: ignored");
            return;
        }
        try {
            looked.powerOff(0, reason);
        } finally {
            ctx.ungetService(ref);
        }
    }

    private static int merge(long old, int offset, int size, long value) {
        long mask = (size >= 8 ? -1L : (1L << (8 * size)) - 1) << (8 * offset);
        return (int) ((old & ~mask) | ((value << (8 * offset)) & mask));
    }
}
