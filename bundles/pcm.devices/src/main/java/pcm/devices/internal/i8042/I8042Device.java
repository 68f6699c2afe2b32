package pcm.devices.internal.i8042;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.core.api.bus.IoDevice;
import pcm.core.api.bus.IoRange;
import pcm.core.api.vm.Platform;

/**
 * The i8042 on ports 0x60 and 0x64; its reset line calls {@link Platform#reset}. Accesses wider
 * than a byte use the low byte (writes) or return it zero-extended (reads) and are counted.
 * The platform is called after the device lock is released.
 */
@Component(name = "pcm.devices.i8042", service = IoDevice.class)
public final class I8042Device implements IoDevice {

    private static final Logger LOG = LoggerFactory.getLogger(I8042Device.class);
    private static final IoRange DATA = IoRange.pio(0x60, 1);
    private static final IoRange COMMAND = IoRange.pio(0x64, 1);
    private static final List<IoRange> RANGES = List.of(DATA, COMMAND);

    private final Object lock = new Object();
    private final AtomicReference<Platform> platform = new AtomicReference<>();
    private final AtomicLong resets = new AtomicLong();
    private final AtomicLong wideAccesses = new AtomicLong();
    private final I8042 controller = new I8042(why -> resetRequest = why);
    private String resetRequest;    // guarded by lock; delivered after the lock is released

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
               policyOption = ReferencePolicyOption.GREEDY)
    void bindPlatform(Platform p) {
        platform.set(p);
    }

    void unbindPlatform(Platform p) {
        platform.compareAndSet(p, null);
    }

    @Override
    public List<IoRange> ranges() {
        return RANGES;
    }

    @Override
    public String name() {
        return "i8042";
    }

    @Override
    public long read(IoRange range, long offset, int size) {
        if (size != 1) wideAccesses.incrementAndGet();
        synchronized (lock) {
            return controller.read(register(range));
        }
    }

    @Override
    public void write(IoRange range, long offset, int size, long value) {
        if (size != 1) wideAccesses.incrementAndGet();
        String reset;
        synchronized (lock) {
            controller.write(register(range), (int) value);
            reset = resetRequest;
            resetRequest = null;
        }
        if (reset != null) reset(reset);
    }

    /** Resets the guest asked for so far. */
    public long resetCount() {
        return resets.get();
    }

    /** Accesses wider than one byte (served with the low byte). */
    public long wideAccesses() {
        return wideAccesses.get();
    }

    /** Controller commands accepted without effect. */
    public long unhandledCommands() {
        synchronized (lock) {
            return controller.unhandledCommands();
        }
    }

    public I8042.State save() {
        synchronized (lock) {
            return controller.save();
        }
    }

    public void restore(I8042.State state) {
        synchronized (lock) {
            controller.restore(state);
        }
    }

    private static int register(IoRange range) {
        return range.base() == COMMAND.base() ? I8042.COMMAND : I8042.DATA;
    }

    private void reset(String why) {
        resets.incrementAndGet();
        Platform p = platform.get();
        if (p == null) {
            LOG.warn("guest requested a reset ({}), but no platform is bound", why);
            return;
        }
        LOG.info("guest requested a reset ({})", why);
        p.reset("i8042 reset");
    }
}
