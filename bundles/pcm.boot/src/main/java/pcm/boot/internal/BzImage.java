package pcm.boot.internal;

import static pcm.boot.api.BootImageException.Problem.BAD_MAGIC;
import static pcm.boot.api.BootImageException.Problem.BAD_OFFSET;
import static pcm.boot.api.BootImageException.Problem.TRUNCATED;
import static pcm.boot.api.BootImageException.Problem.UNSUPPORTED;
import static pcm.boot.internal.Bytes.hex;
import static pcm.boot.internal.Bytes.u16;
import static pcm.boot.internal.Bytes.u32;
import static pcm.boot.internal.Bytes.u64;
import static pcm.boot.internal.Bytes.u8;

import pcm.boot.api.BootImageException;
import pcm.boot.api.Compression;
import pcm.boot.api.SetupHeader;

/**
 * A parsed bzImage: its setup header and where its compressed payload lies. Only what the 64-bit boot
 * protocol needs is accepted: protocol 2.12 or later (payload fields and XLF_KERNEL_64 exist since 2.12)
 * with the 64-bit entry.
 */
record BzImage(byte[] file, SetupHeader header, Compression compression) {

    static final int HEADER_START = 0x1F1;
    static final long HDRS = 0x53726448L; // "HdrS"
    static final int MIN_PROTOCOL = 0x020C;

    static boolean looksLikeBzImage(byte[] file) {
        return file.length >= 0x206 && u32(file, 0x202) == HDRS;
    }

    static BzImage parse(byte[] f) throws BootImageException {
        if (f.length < 0x264) throw new BootImageException(TRUNCATED, "bzImage of " + f.length + " bytes: shorter than its setup header (0x264)");
        if (u16(f, 0x1FE) != 0xAA55) throw new BootImageException(BAD_MAGIC, "boot_flag at 0x1fe is " + hex(u16(f, 0x1FE)) + ", not 0xaa55");
        if (u32(f, 0x202) != HDRS) throw new BootImageException(BAD_MAGIC, "no \"HdrS\" setup header signature at 0x202");
        int protocol = u16(f, 0x206);
        if (protocol < MIN_PROTOCOL) {
            throw new BootImageException(UNSUPPORTED, "boot protocol " + (protocol >> 8) + "." + (protocol & 0xFF) + " is older than 2.12");
        }
        int setupSects = u8(f, 0x1F1);
        if (setupSects == 0) setupSects = 4;
        int headerEnd = 0x202 + u8(f, 0x201);
        if (u8(f, 0x200) != 0xEB || headerEnd > f.length) {
            throw new BootImageException(BAD_OFFSET, "setup header end " + hex(headerEnd) + " (jump at 0x200) is not within the file");
        }
        int xload = u16(f, 0x236);
        if ((xload & SetupHeader.XLF_KERNEL_64) == 0) {
            throw new BootImageException(UNSUPPORTED, "xloadflags " + hex(xload) + " lacks XLF_KERNEL_64: no 64-bit entry point");
        }
        long pmOffset = (setupSects + 1L) * 512;
        long payloadOffset = pmOffset + u32(f, 0x248);
        long payloadLength = u32(f, 0x24C);
        if (pmOffset >= f.length) {
            throw new BootImageException(TRUNCATED, "setup_sects " + setupSects + " puts the kernel at " + hex(pmOffset) + ", past the end of the "
                    + f.length + "-byte file");
        }
        if (payloadLength == 0 || payloadOffset + payloadLength > f.length) {
            throw new BootImageException(BAD_OFFSET, "payload [" + hex(payloadOffset) + ", +" + hex(payloadLength) + ") is not within the "
                    + f.length + "-byte file");
        }
        long initSize = protocol >= 0x020A ? u32(f, 0x260) : 0;
        SetupHeader h = new SetupHeader(setupSects, protocol, u8(f, 0x211), xload, u32(f, 0x22C), u32(f, 0x230), u8(f, 0x234) != 0,
                u64(f, 0x258), initSize, (int) Math.min(u32(f, 0x238), Integer.MAX_VALUE), payloadOffset, payloadLength, headerEnd);
        Compression c = Compression.detect(f, (int) payloadOffset, (int) payloadLength);
        return new BzImage(f, h, c);
    }

    /** The setup header's bytes, [0x1f1, headerEnd), as the zero page takes them. */
    byte[] headerBytes() {
        return java.util.Arrays.copyOfRange(file, HEADER_START, header.headerEnd());
    }
}
