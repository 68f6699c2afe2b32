package pcm.devices.internal.testdev;

import java.util.List;
import java.util.OptionalLong;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.core.api.bus.IoDevice;
import pcm.core.api.bus.IoRange;
import pcm.core.api.vm.Platform;

/**
 * The PCM test device on MMIO (0xFEB00000 by default): the guest reads its ID and workload
 * parameter ({@link Platform#guestParameter()}), checkpoints progress, reports its result and
 * powers off ({@link Platform#powerOff}). The last progress value and the result stay readable
 * here for the shell.
 */
@Component(name = "pcm.devices.testdev", service = IoDevice.class)
@Designate(ocd = PcmTestDevice.Config.class)
public final class PcmTestDevice implements IoDevice {

    @ObjectClassDefinition(name = "PCM test device", description = "MMIO registers of the embedded guest's test device")
    public @interface Config {
        @AttributeDefinition(name = "MMIO base", description = "Guest physical address of the 4 KiB register window")
        long base() default 0xFEB0_0000L;
    }

    private static final Logger LOG = LoggerFactory.getLogger(PcmTestDevice.class);

    private final AtomicReference<Platform> platform = new AtomicReference<>();
    private final PcmTestRegisters registers = new PcmTestRegisters(this::parameter, new Events());
    private volatile List<IoRange> ranges = List.of(IoRange.mmio(0xFEB0_0000L, PcmTestRegisters.SIZE));
    private volatile long powerOffStatus;
    private volatile boolean poweredOff;

    @Activate
    void activate(Config config) {
        ranges = List.of(IoRange.mmio(config.base(), PcmTestRegisters.SIZE));
    }

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
        return ranges;
    }

    @Override
    public String name() {
        return "pcm-test@0x" + Long.toHexString(ranges.getFirst().base());
    }

    @Override
    public long read(IoRange range, long offset, int size) {
        return registers.read(offset, size);
    }

    @Override
    public void write(IoRange range, long offset, int size, long value) {
        registers.write(offset, size, value);
    }

    /** The last checkpoint the guest wrote (0 before the first). */
    public long lastProgress() {
        return registers.lastProgress();
    }

    public long progressWrites() {
        return registers.progressWrites();
    }

    /** The result the guest wrote, if any. */
    public OptionalLong result() {
        return registers.resultWritten() ? OptionalLong.of(registers.result()) : OptionalLong.empty();
    }

    /** The status of the guest's last power-off request, if any. */
    public OptionalLong powerOffStatus() {
        return poweredOff ? OptionalLong.of(powerOffStatus) : OptionalLong.empty();
    }

    /** Accesses of a shape the contract does not allow (ignored). */
    public long invalidAccesses() {
        return registers.invalidAccesses();
    }

    public PcmTestRegisters.State save() {
        return registers.save();
    }

    public void restore(PcmTestRegisters.State state) {
        registers.restore(state);
    }

    private long parameter() {
        Platform p = platform.get();
        return p == null ? 0 : p.guestParameter();
    }

    private final class Events implements PcmTestRegisters.Events {
        @Override
        public void progress(long value) {
            LOG.info("guest progress 0x{}", Long.toHexString(value));
        }

        @Override
        public void result(long value) {
            LOG.info("guest result 0x{}", Long.toHexString(value));
        }

        @Override
        public void powerOff(long status) {
            powerOffStatus = status;
            poweredOff = true;
            Platform p = platform.get();
            if (p == null) {
                LOG.warn("guest powered off with status 0x{}, but no platform is bound", Long.toHexString(status));
                return;
            }
            p.powerOff((int) status, "guest power off");
        }
    }
}
