package pcm.devices.internal.virtio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** virtio-blk on a temporary raw image, driven through the PCI transport with scripted requests. */
class VirtioBlkDeviceTest {

    @TempDir Path dir;

    static VirtioBlkDevice blk(Path image, boolean readOnly) {
        return new VirtioBlkDevice(new VirtioBlkDevice.Config() {
            @Override public Class<? extends Annotation> annotationType() { return VirtioBlkDevice.Config.class; }
            @Override public String image() { return image == null ? "" : image.toString(); }
            @Override public boolean readOnly() { return readOnly; }
            @Override public int pci_device() { return -1; }
            @Override public String serial() { return "pcm-test-disk"; }
            @Override public int queueSize() { return 128; }
        });
    }

    Path image(int sectors) throws Exception {
        byte[] b = new byte[sectors * 512];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (i / 512 + i);
        Path p = dir.resolve("disk.img");
        Files.write(p, b);
        return p;
    }

    static final long HDR = 0x8000, DATA = 0x9000, STATUS = 0xF000;

    /** One request: header at HDR, data at DATA (read or written), status byte at STATUS. */
    static int request(VirtioDriver d, int type, long sector, int dataLength, boolean deviceWritesData) {
        d.ram.put(HDR, 4, type);
        d.ram.put(HDR + 4, 4, 0);
        d.ram.put(HDR + 8, 8, sector);
        d.ram.ram[(int) STATUS] = (byte) 0xEE;
        int head = dataLength > 0
                ? d.chain(new long[] {HDR, 16, 0}, new long[] {DATA, dataLength, deviceWritesData ? 1 : 0}, new long[] {STATUS, 1, 1})
                : d.chain(new long[] {HDR, 16, 0}, new long[] {STATUS, 1, 1});
        d.offerAndKick(head);
        return d.ram.ram[(int) STATUS];
    }

    @Test
    void capacityAndFeatures() throws Exception {
        VirtioDriver d = new VirtioDriver(blk(image(40), false));
        assertEquals(0x1042, pcm.devices.internal.pci.PciTesting.cfgRead(d.bridge, d.dev, 0x02, 2), "modern virtio-blk");
        assertEquals(40, d.read(d.deviceCfg, 8));
        assertEquals(40, d.read(d.deviceCfg, 4));
        assertEquals(0, d.read(d.deviceCfg + 4, 4));
        long f = d.deviceFeatures();
        assertTrue((f & VirtioBlkDevice.F_FLUSH) != 0);
        assertEquals(0, f & VirtioBlkDevice.F_RO);
        VirtioDriver ro = new VirtioDriver(blk(image(40), true));
        assertTrue((ro.deviceFeatures() & VirtioBlkDevice.F_RO) != 0);
    }

    @Test
    void readWriteFlushAndGetId() throws Exception {
        Path img = image(64);
        VirtioBlkDevice blk = blk(img, false);
        VirtioDriver d = new VirtioDriver(blk);
        d.start(VirtioPciFunction.F_VERSION_1 | VirtioBlkDevice.F_FLUSH, 128);

        assertEquals(VirtioBlkDevice.S_OK, request(d, VirtioBlkDevice.T_IN, 3, 1024, true));
        byte[] want = Arrays.copyOfRange(Files.readAllBytes(img), 3 * 512, 5 * 512);
        assertArrayEquals(want, Arrays.copyOfRange(d.ram.ram, (int) DATA, (int) DATA + 1024));
        assertEquals(1025, d.usedLen(0));

        byte[] sector = new byte[512];
        Arrays.fill(sector, (byte) 0x5A);
        System.arraycopy(sector, 0, d.ram.ram, (int) DATA, 512);
        assertEquals(VirtioBlkDevice.S_OK, request(d, VirtioBlkDevice.T_OUT, 10, 512, false));
        assertEquals(1, d.usedLen(1));
        assertEquals(VirtioBlkDevice.S_OK, request(d, VirtioBlkDevice.T_FLUSH, 0, 0, false));
        assertArrayEquals(sector, Arrays.copyOfRange(Files.readAllBytes(img), 10 * 512, 11 * 512), "on disk after the flush");

        assertEquals(VirtioBlkDevice.S_OK, request(d, VirtioBlkDevice.T_GET_ID, 0, 20, true));
        assertEquals("pcm-test-disk", new String(d.ram.ram, (int) DATA, 13));
        assertEquals(VirtioBlkDevice.S_UNSUPP, request(d, 11, 0, 0, false), "DISCARD is not offered");
        assertArrayEquals(new long[] {1, 1, 1, 0}, blk.counts());
        assertTrue(d.lines.high(d.irq()));
    }

    @Test
    void beyondTheCapacityOrPartialSectorsAreIoErrors() throws Exception {
        VirtioDriver d = new VirtioDriver(blk(image(16), false));
        d.start(VirtioPciFunction.F_VERSION_1, 128);
        assertEquals(VirtioBlkDevice.S_IOERR, request(d, VirtioBlkDevice.T_IN, 15, 1024, true));
        assertEquals(VirtioBlkDevice.S_IOERR, request(d, VirtioBlkDevice.T_IN, Long.MAX_VALUE / 256, 512, true));
        assertEquals(VirtioBlkDevice.S_IOERR, request(d, VirtioBlkDevice.T_OUT, -1, 512, false));
        assertEquals(VirtioBlkDevice.S_IOERR, request(d, VirtioBlkDevice.T_IN, 0, 100, true));
        assertEquals(VirtioBlkDevice.S_OK, request(d, VirtioBlkDevice.T_IN, 15, 512, true), "the last sector");
        assertEquals(0, d.status() & VirtioPciFunction.S_NEEDS_RESET, "request errors are statuses, not device errors");
    }

    @Test
    void readOnlyRefusesWritesAndLeavesTheFileAlone() throws Exception {
        Path img = image(8);
        byte[] before = Files.readAllBytes(img);
        VirtioDriver d = new VirtioDriver(blk(img, true));
        d.start(VirtioPciFunction.F_VERSION_1 | VirtioBlkDevice.F_RO | VirtioBlkDevice.F_FLUSH, 128);
        assertEquals(VirtioBlkDevice.S_IOERR, request(d, VirtioBlkDevice.T_OUT, 0, 512, false));
        assertEquals(VirtioBlkDevice.S_OK, request(d, VirtioBlkDevice.T_FLUSH, 0, 0, false));
        assertEquals(VirtioBlkDevice.S_OK, request(d, VirtioBlkDevice.T_IN, 0, 512, true));
        assertArrayEquals(before, Files.readAllBytes(img));
    }

    @Test
    void aRequestWithoutStatusByteNeedsResetAShortHeaderIsAnIoError() throws Exception {
        VirtioBlkDevice blk = blk(image(8), false);
        VirtioDriver d = new VirtioDriver(blk);
        d.start(VirtioPciFunction.F_VERSION_1, 128);
        d.ram.ram[(int) STATUS] = (byte) 0xEE;
        d.offerAndKick(d.chain(new long[] {HDR, 8, 0}, new long[] {STATUS, 1, 1}));
        assertEquals(VirtioBlkDevice.S_IOERR, d.ram.ram[(int) STATUS]);
        d.offerAndKick(d.chain(new long[] {HDR, 16, 0}));
        assertTrue((d.status() & VirtioPciFunction.S_NEEDS_RESET) != 0);
        assertTrue(blk.lastError().contains("status byte"), blk.lastError());
    }

    @Test
    void unusableImagesAreTypedErrors() throws Exception {
        assertEquals(DiskImageException.Problem.MISSING,
                assertThrows(DiskImageException.class, () -> blk(dir.resolve("nope.img"), false)).problem());
        assertEquals(DiskImageException.Problem.NOT_CONFIGURED, assertThrows(DiskImageException.class, () -> blk(null, false)).problem());
        assertEquals(DiskImageException.Problem.NOT_A_FILE, assertThrows(DiskImageException.class, () -> blk(dir, false)).problem());
        Path tiny = Files.write(dir.resolve("tiny.img"), new byte[100]);
        DiskImageException e = assertThrows(DiskImageException.class, () -> blk(tiny, false));
        assertEquals(DiskImageException.Problem.TOO_SMALL, e.problem());
        assertTrue(e.getMessage().contains("tiny.img"), e.getMessage());
    }

    @Test
    void largeRequestsGoInChunks() throws Exception {
        Path img = image(512);                                       // 256 KiB
        VirtioDriver d = new VirtioDriver(blk(img, false));
        d.start(VirtioPciFunction.F_VERSION_1, 128);
        long big = 0x10000;
        d.ram.put(HDR, 4, VirtioBlkDevice.T_IN);
        d.ram.put(HDR + 8, 8, 0);
        d.offerAndKick(d.chain(new long[] {HDR, 16, 0}, new long[] {big, 0x20000, 1}, new long[] {STATUS, 1, 1}));
        assertEquals(VirtioBlkDevice.S_OK, d.ram.ram[(int) STATUS]);
        assertArrayEquals(Arrays.copyOf(Files.readAllBytes(img), 0x20000), Arrays.copyOfRange(d.ram.ram, (int) big, (int) big + 0x20000));
    }
}
