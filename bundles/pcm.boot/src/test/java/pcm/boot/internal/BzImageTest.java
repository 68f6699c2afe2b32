package pcm.boot.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

import pcm.boot.api.BootImageException;
import pcm.boot.api.BootImageException.Problem;
import pcm.boot.api.Compression;
import pcm.boot.api.SetupHeader;

/** Issue 14 item 2: setup header, payload location and compression, and typed errors for broken images. */
class BzImageTest {

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"XZ", "GZIP", "ZSTD"})
    void parsesHeaderAndDecompressesEachPayloadKind(Compression c) throws Exception {
        BzImage bz = BzImage.parse(TestImages.bzImage(c));
        SetupHeader h = bz.header();
        assertEquals(0x020F, h.protocol());
        assertEquals("2.15", h.protocolVersion());
        assertEquals(1, h.setupSects());
        assertEquals(0x400, h.protectedModeOffset());
        assertEquals(0x400 + 0x1000, h.payloadOffset());
        assertEquals(0x7FFFFFFFL, h.initrdAddrMax());
        assertEquals(0x7F, h.xloadFlags());
        assertEquals(2047, h.cmdlineSize());
        assertEquals(0x1000000, h.prefAddress());
        assertEquals(0x268, h.headerEnd());
        assertEquals(c, bz.compression());
        assertArrayEquals(TestImages.elf(false), Payload.decompress(bz));
        assertEquals(TestImages.VERSION, LinuxLoad.kernelVersion(bz.file()));
    }

    @Test
    void setupSectsZeroMeansFour() throws Exception {
        byte[] f = TestImages.bzImage(Compression.GZIP);
        f[0x1F1] = 0;
        byte[] shifted = new byte[f.length + 3 * 512];
        System.arraycopy(f, 0, shifted, 0, 0x400);
        System.arraycopy(f, 0x400, shifted, 0x400 + 3 * 512, f.length - 0x400);
        BzImage bz = BzImage.parse(shifted);
        assertEquals(4, bz.header().setupSects());
        assertArrayEquals(TestImages.elf(false), Payload.decompress(bz));
    }

    @Test
    void wrongMagicIsNamed() {
        byte[] f = TestImages.bzImage(Compression.XZ);
        f[0x203] = 'x';
        assertProblem(Problem.BAD_MAGIC, "HdrS", f);
        byte[] g = TestImages.bzImage(Compression.XZ);
        g[0x1FE] = 0;
        assertProblem(Problem.BAD_MAGIC, "boot_flag", g);
    }

    @Test
    void oldProtocolAnd32BitOnlyKernelsAreRefused() {
        byte[] f = TestImages.bzImage(Compression.XZ);
        Bytes.put16(f, 0x206, 0x0206);
        assertProblem(Problem.UNSUPPORTED, "older than 2.12", f);
        byte[] g = TestImages.bzImage(Compression.XZ);
        Bytes.put16(g, 0x236, 0x7E);
        assertProblem(Problem.UNSUPPORTED, "XLF_KERNEL_64", g);
    }

    @Test
    void payloadOutsideTheFileIsABadOffset() {
        byte[] f = TestImages.bzImage(Compression.XZ);
        Bytes.put32(f, 0x248, 0x7FFFFFF0);
        assertProblem(Problem.BAD_OFFSET, "payload", f);
        byte[] g = TestImages.bzImage(Compression.XZ);
        Bytes.put32(g, 0x24C, g.length);
        assertProblem(Problem.BAD_OFFSET, "payload", g);
        byte[] h = TestImages.bzImage(Compression.XZ);
        Bytes.put32(h, 0x24C, 0);
        assertProblem(Problem.BAD_OFFSET, "payload", h);
        byte[] j = TestImages.bzImage(Compression.XZ);
        j[0x201] = (byte) 0xFF;
        byte[] shortJ = Arrays.copyOf(j, 0x280);
        assertProblem(Problem.BAD_OFFSET, "setup header end", shortJ);
    }

    @Test
    void truncatedFilesAreNamedAsSuch() {
        byte[] f = TestImages.bzImage(Compression.XZ);
        assertProblem(Problem.TRUNCATED, "shorter than its setup header", Arrays.copyOf(f, 0x200));
        // cut inside the payload: the header is fine, the payload no longer lies within the file
        assertProblem(Problem.BAD_OFFSET, "payload", Arrays.copyOf(f, f.length - 0x200));
    }

    @Test
    void unknownOrUnsupportedCompressionIsTyped() throws Exception {
        byte[] f = TestImages.bzImage(Compression.XZ);
        int off = 0x400 + 0x1000;
        f[off] = 'Q';
        BootImageException e = assertThrows(BootImageException.class, () -> Payload.decompress(BzImage.parse(f)));
        assertEquals(Problem.UNSUPPORTED_COMPRESSION, e.problem());
        f[off] = 'B'; f[off + 1] = 'Z'; f[off + 2] = 'h';
        BzImage bz = BzImage.parse(f);
        assertEquals(Compression.BZIP2, bz.compression());
        e = assertThrows(BootImageException.class, () -> Payload.decompress(bz));
        assertEquals(Problem.UNSUPPORTED_COMPRESSION, e.problem());
        assertTrue(e.getMessage().contains("BZIP2"), e.getMessage());
    }

    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"XZ", "GZIP", "ZSTD"})
    void corruptPayloadIsTyped(Compression c) throws Exception {
        byte[] f = TestImages.bzImage(c);
        int off = (int) BzImage.parse(f).header().payloadOffset();
        int len = (int) BzImage.parse(f).header().payloadLength();
        for (int i = off + 8; i < off + len - 8; i += 7) f[i] ^= 0x5A;
        BootImageException e = assertThrows(BootImageException.class, () -> Payload.decompress(BzImage.parse(f)));
        assertEquals(Problem.CORRUPT_PAYLOAD, e.problem(), e.getMessage());
    }

    /** A little fuzzing: truncations and byte flips give a typed error or a parse, never another exception. */
    @ParameterizedTest
    @EnumSource(value = Compression.class, names = {"XZ", "GZIP", "ZSTD"})
    void fuzzedImagesNeverEscapeAsUntypedExceptions(Compression c) {
        byte[] good = TestImages.bzImage(c);
        Random random = new Random(14);
        ArrayMemory ram = new ArrayMemory(64 << 20);
        for (int round = 0; round < 300; round++) {
            byte[] f = round % 3 == 0 ? Arrays.copyOf(good, random.nextInt(good.length)) : good.clone();
            int flips = 1 + random.nextInt(6);
            for (int i = 0; i < flips && f.length > 0; i++) {
                int at = random.nextInt(4) == 0 ? random.nextInt(f.length) : 0x1F0 + random.nextInt(Math.min(0x80, Math.max(1, f.length - 0x1F0)));
                if (at < f.length) f[at] = (byte) random.nextInt(256);
            }
            try {
                LinuxLoad.load(f, java.util.Optional.empty(), "", 64 << 20, ram, LinuxLoadTest.settings(false));
            } catch (BootImageException expected) {
                assertTrue(expected.getMessage().startsWith(expected.problem().toString()), expected.getMessage());
            } catch (RuntimeException | Error e) {
                fail("round " + round + ": " + e, e);
            }
        }
    }

    static void assertProblem(Problem problem, String mention, byte[] image) {
        BootImageException e = assertThrows(BootImageException.class, () -> BzImage.parse(image));
        assertEquals(problem, e.problem(), e.getMessage());
        assertTrue(e.getMessage().contains(mention), e.getMessage());
    }
}
