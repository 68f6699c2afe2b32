package pcm.devices.internal.virtio;

import java.security.SecureRandom;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import pcm.devices.api.pci.PciFunction;

/**
 * virtio-rng (virtio 1.2, 5.4): one request queue; each request's device-writable buffers are filled from a
 * {@link SecureRandom}, at most {@code maxBytesPerRequest} bytes. The bytes reach the guest as DMA through the
 * guest-memory API, which the recorder logs (DMA_WRITE), so a replay sees the same entropy.
 */
@Component(name = "pcm.devices.virtio.rng", service = PciFunction.class)
@Designate(ocd = VirtioRngDevice.Config.class)
public final class VirtioRngDevice extends VirtioPciFunction {

    @ObjectClassDefinition(name = "PCM virtio-rng", description = "Entropy device on the PCI bus (virtio 1.x, INTx)")
    public @interface Config {
        @AttributeDefinition(name = "PCI device number", description = "1-31 on bus 0 (fixed, so the guest sees the same bus on every "
                + "boot whatever order the components start in); -1: the lowest free", min = "-1", max = "31")
        int pci_device() default 2;

        @AttributeDefinition(name = "Bytes per request", description = "At most this many bytes per request", min = "1", max = "1048576")
        int maxBytesPerRequest() default 65536;

        @AttributeDefinition(name = "Queue size", description = "A power of two, 1-32768")
        int queueSize() default 64;
    }

    private final SecureRandom random = new SecureRandom();
    private final int maxBytes;
    private final int queueSize;
    private long bytesGiven;

    @Activate
    public VirtioRngDevice(Config config) {
        if (config.maxBytesPerRequest() < 1) throw new IllegalArgumentException("maxBytesPerRequest must be positive: " + config.maxBytesPerRequest());
        maxBytes = config.maxBytesPerRequest();
        queueSize = config.queueSize();
        createQueues();
    }

    @Override protected int virtioDeviceId() { return 4; }
    @Override protected long deviceFeatures() { return 0; }
    @Override protected int[] queueSizes() { return new int[] {queueSize}; }
    @Override protected long readDeviceConfig(int offset, int size) { return 0; }
    @Override public int classCode() { return 0xFF0000; }
    @Override public String name() { return "virtio-rng"; }

    @Override
    protected int process(int queue, DescriptorChain chain) throws VirtioException {
        int n = (int) Math.min(chain.writableBytes(), maxBytes);
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        chain.write(0, bytes, 0, n);
        bytesGiven += n;
        return n;
    }

    /** Entropy bytes handed to the guest so far. */
    public long bytesGiven() {
        synchronized (lock) {
            return bytesGiven;
        }
    }

    public State save() { return saveTransport(); }

    public void restore(State s) { restoreTransport(s); }
}
