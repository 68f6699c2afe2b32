package pcm.example.device;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import pcm.core.api.bus.AddressSpace;
import pcm.core.api.bus.IoBus;
import pcm.core.api.bus.IoDevice;

/**
 * {@code example:postcode [value]}: writes the POST code port through the kernel's I/O bus and reads it back, the
 * path a guest's OUT and IN take after their exits, so the device can be seen answering without a guest that knows
 * it. Prints what the bus answered, or that no device claims the port.
 */
@Component(service = PostCodeCommand.class, property = {"osgi.command.scope=example", "osgi.command.function=postcode"})
public class PostCodeCommand {

    @Reference
    private IoBus bus;

    /** Our own device, for the port it was configured at. */
    @Reference(target = "(component.name=pcm.example.device.PostCodeDevice)")
    private IoDevice device;

    public String postcode() {
        return read();
    }

    public String postcode(int value) {
        if (!bus.write(AddressSpace.PIO, port(), 1, value)) return "port 0x" + Long.toHexString(port()) + ": no device";
        return read();
    }

    private long port() {
        return device.ranges().get(0).base();
    }

    private String read() {
        long[] value = new long[1];
        boolean claimed = bus.read(AddressSpace.PIO, port(), 1, value);
        return "port 0x" + Long.toHexString(port()) + (claimed ? " = 0x" + Long.toHexString(value[0]) : ": no device");
    }
}
