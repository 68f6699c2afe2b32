package pcm.example.device;

import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.core.api.bus.IoDevice;
import pcm.core.api.bus.IoRange;

/**
 * A POST code register, as on a PC's diagnostic port: firmware writes a byte for each boot stage, reads return the
 * last one written. The kernel's bus places it while it is registered and removes it when its bundle leaves.
 */
@Component(service = IoDevice.class, configurationPid = PostCodeDevice.PID)
@Designate(ocd = PostCodeDevice.Config.class)
public class PostCodeDevice implements IoDevice {

    public static final String PID = "pcm.example.postcode";
    private static final Logger LOG = LoggerFactory.getLogger(PostCodeDevice.class);

    @ObjectClassDefinition(name = "PCM example: POST code device")
    public @interface Config {
        @AttributeDefinition(description = "The I/O port (0..0xffff); 0x80 is the PC's POST code port", min = "0", max = "65535")
        int port() default 0x80;
    }

    private final List<IoRange> ranges;
    private volatile long code = 0xFF; // nothing written since power on, like an idle POST card

    @Activate
    public PostCodeDevice(Config config) {
        ranges = List.of(IoRange.pio(config.port(), 1)); // fixed for the service's lifetime (IoDevice.ranges)
    }

    @Override
    public List<IoRange> ranges() {
        return ranges;
    }

    @Override
    public long read(IoRange range, long offset, int size) {
        return code;
    }

    @Override
    public void write(IoRange range, long offset, int size, long value) {
        code = value & 0xFF;
        LOG.info("POST code 0x{}", Long.toHexString(code));
    }

    @Override
    public String name() {
        return "postcode@0x" + Long.toHexString(ranges.get(0).base());
    }
}
