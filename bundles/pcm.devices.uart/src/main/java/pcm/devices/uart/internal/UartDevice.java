package pcm.devices.uart.internal;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
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
import pcm.core.api.bus.StatefulDevice;
import pcm.core.api.irq.InterruptController;
import pcm.core.api.vm.ConsoleInput;
import pcm.core.api.vm.Platform;

/**
 * Puts a {@link Uart16550} on 8 I/O ports (COM1 by default): transmitted bytes go to
 * {@link Platform#consoleOutput}, the interrupt output drives an ISA IRQ line of the
 * {@link InterruptController}. Only 1-byte accesses reach the registers; others are counted and
 * ignored (reads return all ones). Both references are optional, so the UART works (and can be
 * tested) without a platform or a PIC.
 * <p>
 * Without configuration there is one instance, COM1 at 0x3F8 / IRQ 4. Factory configurations
 * (factory PID {@code pcm.devices.uart}) replace that default: once one exists, exactly the
 * configured UARTs exist (so a COM2 setup lists COM1 too).
 */
@Component(name = "pcm.devices.uart", service = {IoDevice.class, ConsoleInput.class}, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = UartDevice.Config.class, factory = true)
public final class UartDevice implements StatefulDevice, ConsoleInput {

    @ObjectClassDefinition(name = "PCM 16550A UART", description = "Serial port wired to the PCM console")
    public @interface Config {
        @AttributeDefinition(name = "I/O base", description = "First of 8 ports (COM1 0x3F8, COM2 0x2F8)")
        int base() default 0x3F8;

        @AttributeDefinition(name = "IRQ", min = "0", max = "15", description = "ISA IRQ line (COM1 4, COM2 3)")
        int irq() default 4;

        @AttributeDefinition(name = "Name", description = "Name in the shell and in logs")
        String name() default "com1";
    }

    private static final Logger LOG = LoggerFactory.getLogger(UartDevice.class);

    private final Object lock = new Object();
    private final AtomicReference<Platform> platform = new AtomicReference<>();
    private final AtomicReference<InterruptController> interrupts = new AtomicReference<>();
    private final AtomicLong transmitted = new AtomicLong();
    private final AtomicLong received = new AtomicLong();
    private final AtomicLong invalidAccesses = new AtomicLong();
    private final Uart16550 uart = new Uart16550(this::transmit, this::driveIrq);

    private volatile List<IoRange> ranges = List.of(IoRange.pio(0x3F8, 8));
    private volatile int irq = 4;
    private volatile String name = "com1";

    @Activate
    void activate(Config config) {
        if (config.irq() < 0 || config.irq() > 15) throw new IllegalArgumentException("UART IRQ out of range: " + config.irq());
        ranges = List.of(IoRange.pio(config.base(), 8));
        irq = config.irq();
        name = config.name();
        LOG.debug("{}: 16550A at 0x{} IRQ {}", name, Integer.toHexString(config.base()), irq);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
               policyOption = ReferencePolicyOption.GREEDY)
    void bindPlatform(Platform p) {
        platform.set(p);
    }

    void unbindPlatform(Platform p) {
        platform.compareAndSet(p, null);
    }

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC,
               policyOption = ReferencePolicyOption.GREEDY)
    void bindInterruptController(InterruptController controller) {
        synchronized (lock) {
            interrupts.set(controller);
            if (uart.irqLevel()) controller.setIrq(irq, true);   // a new controller learns the line level
        }
    }

    void unbindInterruptController(InterruptController controller) {
        interrupts.compareAndSet(controller, null);
    }

    @Override
    public List<IoRange> ranges() {
        return ranges;
    }

    @Override
    public String name() {
        return "uart16550@0x" + Long.toHexString(ranges.getFirst().base()) + " (" + name + ")";
    }

    @Override
    public long read(IoRange range, long offset, int size) {
        if (size != 1) {
            invalid("read", offset, size);
            return StatefulDevice.super.read(range, offset, size);
        }
        synchronized (lock) {
            return uart.read((int) offset);
        }
    }

    @Override
    public void write(IoRange range, long offset, int size, long value) {
        if (size != 1) {
            invalid("write", offset, size);
            return;
        }
        synchronized (lock) {
            uart.write((int) offset, (int) value);
        }
    }

    @Override
    public int input(byte[] bytes, int offset, int length) {
        return receive(bytes, offset, length);
    }

    /** Host input for the guest; returns how many bytes the receive FIFO took. */
    public int receive(byte[] bytes, int offset, int length) {
        int taken;
        synchronized (lock) {
            taken = uart.receive(bytes, offset, length);
        }
        received.addAndGet(taken);
        return taken;
    }

    public long transmittedBytes() {
        return transmitted.get();
    }

    public long receivedBytes() {
        return received.get();
    }

    /** Accesses that were not 1 byte wide (ignored). */
    public long invalidAccesses() {
        return invalidAccesses.get();
    }

    /** The same UART across implementations: its base port (a replacement on another base is another UART). */
    @Override
    public String stateId() {
        return "uart16550@0x" + Long.toHexString(ranges.getFirst().base());
    }

    @Override
    public byte[] saveState() {
        return UartStateCodec.encode(save());
    }

    /** Takes over a predecessor's registers and FIFO and drives the IRQ line to their level (no interrupt lost). */
    @Override
    public void restoreState(byte[] state) {
        restore(UartStateCodec.decode(state));
    }

    public Uart16550.State save() {
        synchronized (lock) {
            return uart.save();
        }
    }

    public void restore(Uart16550.State state) {
        synchronized (lock) {
            uart.restore(state);
        }
    }

    private void invalid(String what, long offset, int size) {
        if (invalidAccesses.getAndIncrement() == 0) {
            LOG.warn("{}: {}-byte {} at offset {} ignored (only 1-byte accesses; further ones are only counted)",
                    name, size, what, offset);
        }
    }

    /** Called by the model with the lock held. */
    private void transmit(byte b) {
        transmitted.incrementAndGet();
        Platform p = platform.get();
        if (p != null) p.consoleOutput(new byte[] {b}, 0, 1);
    }

    /** Called by the model with the lock held (lock order: UART, then the controller). */
    private void driveIrq(boolean level) {
        InterruptController controller = interrupts.get();
        if (controller != null) controller.setIrq(irq, level);
    }
}
