package pcm.devices.internal.virtio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.devices.api.pci.PciFunction;

/**
 * virtio-blk (virtio 1.2, 5.2) on a raw image file: one request queue; IN, OUT, FLUSH (an fsync of the image,
 * VIRTIO_BLK_F_FLUSH) and GET_ID; capacity = the file's size in 512-byte sectors; VIRTIO_BLK_F_RO when configured
 * read-only (writes then end with VIRTIO_BLK_S_IOERR). Requests run synchronously when the driver notifies. Sector
 * data reaches the guest only through the guest-memory API (DMA, logged). Exists only when configured (PID
 * {@code pcm.devices.virtio.blk}, {@code image}; {@code bin/pcm run --disk}); an image that cannot be used fails the
 * activation with a {@link DiskImageException} naming the file and the problem.
 */
@Component(name = "pcm.devices.virtio.blk", service = PciFunction.class, configurationPolicy = ConfigurationPolicy.REQUIRE)
@Designate(ocd = VirtioBlkDevice.Config.class)
public final class VirtioBlkDevice extends VirtioPciFunction {

    @ObjectClassDefinition(name = "PCM virtio-blk", description = "Block device on the PCI bus (virtio 1.x, INTx) backed by a raw image file")
    public @interface Config {
        @AttributeDefinition(name = "Image", description = "Path of the raw disk image (its size in 512-byte sectors is the capacity)")
        String image();

        @AttributeDefinition(name = "Read-only", description = "Offer VIRTIO_BLK_F_RO and refuse writes")
        boolean readOnly() default false;

        @AttributeDefinition(name = "PCI device number", description = "1-31 on bus 0 (fixed, so the guest sees the same bus on every "
                + "boot whatever order the components start in); -1: the lowest free", min = "-1", max = "31")
        int pci_device() default 1;

        @AttributeDefinition(name = "Serial", description = "What VIRTIO_BLK_T_GET_ID answers (at most 20 bytes)")
        String serial() default "pcm-virtio-blk";

        @AttributeDefinition(name = "Queue size", description = "A power of two, 1-32768")
        int queueSize() default 128;
    }

    public static final long F_RO = 1L << 5, F_FLUSH = 1L << 9;
    public static final int T_IN = 0, T_OUT = 1, T_FLUSH = 4, T_GET_ID = 8;
    public static final int S_OK = 0, S_IOERR = 1, S_UNSUPP = 2;
    static final int CHUNK = 64 * 1024;
    static final int ID_BYTES = 20;
    /** Larger requests end with IOERR (Linux sends at most max_sectors, 1.25 MiB by default; the used length is 32 bits). */
    static final long MAX_REQUEST_BYTES = 1L << 30;

    private static final Logger LOG = LoggerFactory.getLogger(VirtioBlkDevice.class);

    private final DiskImage image;
    private final byte[] serial;
    private final int queueSize;
    private final ByteBuffer chunk = ByteBuffer.allocate(CHUNK);
    private long reads, writes, flushes, failures;

    @Activate
    public VirtioBlkDevice(Config config) {
        image = DiskImage.open(config.image(), config.readOnly());
        byte[] s = config.serial().getBytes(StandardCharsets.US_ASCII);
        serial = java.util.Arrays.copyOf(s, Math.min(s.length, ID_BYTES));
        queueSize = config.queueSize();
        createQueues();
        LOG.info("virtio-blk: {} ({} sectors{})", image.path(), image.sectors(), image.readOnly() ? ", read-only" : "");
    }

    @Deactivate
    void deactivate() {
        try {
            image.flush();
            image.close();
        } catch (IOException e) {
            LOG.warn("virtio-blk: closing {}: {}", image.path(), e.toString());
        }
    }

    @Override protected int virtioDeviceId() { return 2; }
    @Override protected long deviceFeatures() { return F_FLUSH | (image.readOnly() ? F_RO : 0); }
    @Override protected int[] queueSizes() { return new int[] {queueSize}; }
    @Override public int classCode() { return 0x018000; }   // mass storage, other
    @Override public String name() { return "virtio-blk"; }

    /** struct virtio_blk_config: only capacity (le64 sectors) without further feature bits. */
    @Override
    protected long readDeviceConfig(int offset, int size) {
        return configBytes(image.sectors(), 8, offset, size);
    }

    @Override
    protected int process(int queue, DescriptorChain c) throws VirtioException {
        if (c.writableBytes() < 1) throw new VirtioException("block request without a writable status byte");
        long statusAt = c.writableBytes() - 1;
        if (c.readableBytes() < 16) return finish(c, statusAt, S_IOERR, 0);
        byte[] h = new byte[16];
        c.read(0, h, 0, 16);
        int type = (int) get(h, 0, 4);
        long sector = get(h, 8, 8);
        try {
            return switch (type) {
                case T_IN -> read(c, sector, statusAt);
                case T_OUT -> write(c, sector, statusAt);
                case T_FLUSH -> {
                    image.flush();
                    flushes++;
                    yield finish(c, statusAt, S_OK, 0);
                }
                case T_GET_ID -> {
                    int n = (int) Math.min(serial.length, statusAt);
                    c.write(0, serial, 0, n);
                    yield finish(c, statusAt, S_OK, n);
                }
                default -> finish(c, statusAt, S_UNSUPP, 0);
            };
        } catch (IOException e) {
            failures++;
            LOG.warn("virtio-blk: {} at sector {} of {}: {}", type == T_IN ? "read" : type == T_OUT ? "write" : "flush", sector, image.path(), e.toString());
            return finish(c, statusAt, S_IOERR, 0);
        }
    }

    private int read(DescriptorChain c, long sector, long statusAt) throws VirtioException, IOException {
        long length = statusAt;
        if (!inside(sector, length)) return finish(c, statusAt, S_IOERR, 0);
        long position = sector * DiskImage.SECTOR;
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(CHUNK, length - done);
            chunk.clear().limit(n);
            image.read(position + done, chunk);
            c.write(done, chunk.array(), 0, n);
            done += n;
        }
        reads++;
        return finish(c, statusAt, S_OK, (int) length);
    }

    private int write(DescriptorChain c, long sector, long statusAt) throws VirtioException, IOException {
        long length = c.readableBytes() - 16;
        if (image.readOnly() || !inside(sector, length)) return finish(c, statusAt, S_IOERR, 0);
        long position = sector * DiskImage.SECTOR;
        for (long done = 0; done < length; ) {
            int n = (int) Math.min(CHUNK, length - done);
            c.read(16 + done, chunk.array(), 0, n);
            chunk.clear().limit(n);
            image.write(position + done, chunk);
            done += n;
        }
        writes++;
        return finish(c, statusAt, S_OK, 0);
    }

    /** Whole sectors, inside the capacity. */
    private boolean inside(long sector, long length) {
        if (length % DiskImage.SECTOR != 0 || sector < 0 || length > MAX_REQUEST_BYTES) return false;
        long sectors = length / DiskImage.SECTOR;
        return sector <= image.sectors() && sectors <= image.sectors() - sector;
    }

    /** Writes the status byte; the used length counts the data written plus the status. */
    private static int finish(DescriptorChain c, long statusAt, int status, int written) throws VirtioException {
        c.write(statusAt, new byte[] {(byte) status}, 0, 1);
        return written + 1;
    }

    public long sectors() { return image.sectors(); }

    /** Requests completed: reads, writes, flushes, I/O failures. */
    public long[] counts() {
        synchronized (lock) {
            return new long[] {reads, writes, flushes, failures};
        }
    }

    public State save() { return saveTransport(); }

    public void restore(State s) { restoreTransport(s); }
}
