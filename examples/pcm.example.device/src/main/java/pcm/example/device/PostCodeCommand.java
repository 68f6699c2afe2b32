package pcm.example.device;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import pcm.core.api.bus.AddressSpace;
import pcm.core.api.bus.IoBus;
import pcm.core.api.bus.IoDevice;

/**
 * {@code example:postcode <value>}: writes the POST code port through the kernel's I/O bus and reads it back, the
 * path a guest's OUT and IN take after their exits, so the device can be seen answering without a guest that knows
 * it. Prints what the bus answered, or that no device claims the port.
 */
@Component(service = PostCodeCommand.class, property = {"osgi.command.scope=example", "osgi.command.function=postcode"})
public class PostCodeCommand {

    @Reference
    private IoBus bus;

    @Reference(target = "(component.name=pcm.example.device.PostCodeDevice)") // ours, for its configured port
    private IoDevice device;

    public String postcode(int value) {
        long port = device.ranges().get(0).base();
        long[] read = new long[1];
        boolean claimed = bus.write(AddressSpace.PIO, port, 1, value) && bus.read(AddressSpace.PIO, port, 1, read);
        return "port 0x" + Long.toHexString(port) + (claimed ? " = 0x" + Long.toHexString(read[0]) : ": no device");
    }
}
