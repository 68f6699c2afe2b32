package pcm.core.internal.bus;

import java.util.List;

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

import pcm.core.api.bus.AddressSpace;
import pcm.core.api.bus.IoBus;
import pcm.core.api.bus.IoDevice;
import pcm.core.api.bus.IoRangeConflictException;

/**
 * The bus as a service, filled from the {@link IoDevice} whiteboard. A device whose ranges
 * conflict is refused with a logged error (the bus and the VM go on without it).
 */
@Component(service = IoBus.class, configurationPid = "pcm.bus")
@Designate(ocd = IoBusComponent.Config.class)
public final class IoBusComponent implements IoBus {

    @ObjectClassDefinition(name = "PCM I/O bus", description = "Port and MMIO ranges of the device models")
    public @interface Config {
        @AttributeDefinition(name = "Hand-over time (ms)", min = "0", max = "600000",
                description = "How long the guest's accesses to a departed stateful device wait for its successor (a bundle "
                        + "update swapping the implementation) before its state is forfeited and its ranges read as open bus")
        long handoverMillis() default 5_000;
    }

    private static final Logger LOG = LoggerFactory.getLogger(IoBusComponent.class);
    private final RangeBus bus;

    @Activate
    public IoBusComponent(Config config) {
        bus = new RangeBus(config.handoverMillis());
    }

    @Reference(service = IoDevice.class, cardinality = ReferenceCardinality.MULTIPLE,
            policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    void addDevice(IoDevice device) {
        try {
            bus.add(device);
        } catch (IoRangeConflictException | IllegalArgumentException e) {
            LOG.error("device {} refused: {}", device.name(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("device {} refused: its ranges() failed", device.name(), e);
        }
    }

    void removeDevice(IoDevice device) {
        bus.remove(device);
    }

    @Override
    public void add(IoDevice device) throws IoRangeConflictException { bus.add(device); }

    @Override
    public boolean remove(IoDevice device) { return bus.remove(device); }

    @Override
    public boolean read(AddressSpace space, long address, int size, long[] result) {
        return bus.read(space, address, size, result);
    }

    @Override
    public boolean write(AddressSpace space, long address, int size, long value) {
        return bus.write(space, address, size, value);
    }

    @Override
    public List<Mapping> mappings() { return bus.mappings(); }
}
