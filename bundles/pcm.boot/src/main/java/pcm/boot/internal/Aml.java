package pcm.boot.internal;

import java.io.ByteArrayOutputStream;
import java.util.List;

/**
 * The small subset of AML (ACPI 6.x, chapter 20) the DSDT needs: Scope, Device, Name, integers, strings,
 * EISA ids, packages and resource-template buffers with I/O port and IRQ descriptors. Each method returns
 * the encoded bytes of one term.
 */
final class Aml {

    static final int ZERO_OP = 0x00, ONE_OP = 0x01, NAME_OP = 0x08, BYTE_PREFIX = 0x0A, WORD_PREFIX = 0x0B,
            DWORD_PREFIX = 0x0C, STRING_PREFIX = 0x0D, QWORD_PREFIX = 0x0E, SCOPE_OP = 0x10, BUFFER_OP = 0x11,
            PACKAGE_OP = 0x12, EXT_OP_PREFIX = 0x5B, DEVICE_OP = 0x82, ROOT_CHAR = 0x5C, DUAL_NAME_PREFIX = 0x2E,
            MULTI_NAME_PREFIX = 0x2F;

    private Aml() {}

    static byte[] concat(List<byte[]> parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) out.writeBytes(p);
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) { return concat(List.of(parts)); }

    /**
     * PkgLength (20.2.4): counts itself. One byte up to 63; otherwise bits 7-6 of the lead byte give the
     * number of following bytes, its bits 3-0 the low nibble, the following bytes the rest.
     */
    static byte[] pkgLength(int contentLength) {
        if (contentLength + 1 < 64) return new byte[] {(byte) (contentLength + 1)};
        for (int extra = 1; extra <= 3; extra++) {
            int total = contentLength + 1 + extra;
            if (total < 1 << (4 + 8 * extra)) {
                byte[] b = new byte[1 + extra];
                b[0] = (byte) (extra << 6 | (total & 0xF));
                for (int i = 1; i <= extra; i++) b[i] = (byte) (total >> (4 + 8 * (i - 1)));
                return b;
            }
        }
        throw new IllegalArgumentException("AML package of " + contentLength + " bytes is too long");
    }

    /** A NameString: "\\_SB_.COM1" style; segments shorter than 4 characters are padded with '_'. */
    static byte[] nameString(String path) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        String p = path;
        if (p.startsWith("\\")) {
            out.write(ROOT_CHAR);
            p = p.substring(1);
        }
        String[] segs = p.isEmpty() ? new String[0] : p.split("\\.");
        if (segs.length == 2) out.write(DUAL_NAME_PREFIX);
        else if (segs.length > 2) {
            out.write(MULTI_NAME_PREFIX);
            out.write(segs.length);
        } else if (segs.length == 0) out.write(0); // NullName
        for (String s : segs) {
            if (s.isEmpty() || s.length() > 4 || !s.matches("[A-Z_][A-Z0-9_]*")) throw new IllegalArgumentException("bad AML name segment '" + s + "'");
            String padded = (s + "___").substring(0, 4);
            for (int i = 0; i < 4; i++) out.write(padded.charAt(i));
        }
        return out.toByteArray();
    }

    static byte[] integer(long v) {
        if (v == 0) return new byte[] {ZERO_OP};
        if (v == 1) return new byte[] {ONE_OP};
        if (v >= 0 && v <= 0xFF) return new byte[] {BYTE_PREFIX, (byte) v};
        if (v >= 0 && v <= 0xFFFF) return new byte[] {WORD_PREFIX, (byte) v, (byte) (v >> 8)};
        if (v >= 0 && v <= 0xFFFFFFFFL) {
            byte[] b = {DWORD_PREFIX, 0, 0, 0, 0};
            Bytes.put32(b, 1, v);
            return b;
        }
        byte[] b = new byte[9];
        b[0] = QWORD_PREFIX;
        Bytes.put64(b, 1, v);
        return b;
    }

    static byte[] string(String s) {
        byte[] b = new byte[s.length() + 2];
        b[0] = STRING_PREFIX;
        Bytes.putAscii(b, 1, s);
        return b;
    }

    /** EISAID("PNP0501"): three 5-bit letters and four hex digits, stored big-endian-ish as ACPI defines. */
    static long eisaId(String id) {
        int c1 = id.charAt(0) - 0x40, c2 = id.charAt(1) - 0x40, c3 = id.charAt(2) - 0x40;
        int product = Integer.parseInt(id.substring(3), 16);
        int vendor = (c1 << 10) | (c2 << 5) | c3;
        long value = ((vendor >> 8) & 0xFF) | (vendor & 0xFF) << 8 | (long) ((product >> 8) & 0xFF) << 16 | (long) (product & 0xFF) << 24;
        return value;
    }

    static byte[] name(String name, byte[] value) {
        return concat(new byte[] {NAME_OP}, nameString(name), value);
    }

    static byte[] scope(String path, List<byte[]> terms) {
        byte[] body = concat(concat(List.of(nameString(path))), concat(terms));
        return concat(new byte[] {SCOPE_OP}, pkgLength(body.length), body);
    }

    static byte[] device(String name, List<byte[]> terms) {
        byte[] body = concat(nameString(name), concat(terms));
        return concat(new byte[] {EXT_OP_PREFIX, (byte) DEVICE_OP}, pkgLength(body.length), body);
    }

    static byte[] packageOf(List<byte[]> elements) {
        byte[] body = concat(new byte[] {(byte) elements.size()}, concat(elements));
        return concat(new byte[] {PACKAGE_OP}, pkgLength(body.length), body);
    }

    static byte[] buffer(byte[] data) {
        byte[] body = concat(integer(data.length), data);
        return concat(new byte[] {BUFFER_OP}, pkgLength(body.length), body);
    }

    /** Resource descriptors (6.4) inside a ResourceTemplate, which ends with an End Tag (checksum 0). */
    static byte[] resourceTemplate(List<byte[]> descriptors) {
        return buffer(concat(concat(descriptors), new byte[] {0x79, 0x00}));
    }

    /** IO(Decode16, base, base, 1, length): the small I/O port descriptor. */
    static byte[] ioPort(int base, int length) {
        return new byte[] {0x47, 0x01, (byte) base, (byte) (base >> 8), (byte) base, (byte) (base >> 8), 0x01, (byte) length};
    }

    /** IRQNoFlags(){irq}: edge, active high, as ISA interrupts are. */
    static byte[] irq(int irq) {
        int mask = 1 << irq;
        return new byte[] {0x22, (byte) mask, (byte) (mask >> 8)};
    }

    /** Word Address Space Descriptor (6.4.3.5.3), a producer with fixed minimum and maximum: 0 memory, 1 I/O, 2 bus numbers. */
    static byte[] wordAddressSpace(int type, int typeFlags, int min, int max) {
        byte[] d = new byte[16];
        d[0] = (byte) 0x88;
        Bytes.put16(d, 1, 13);
        d[3] = (byte) type;
        d[4] = 0x0C;                                   // MinFixed, MaxFixed, PosDecode, ResourceProducer
        d[5] = (byte) typeFlags;
        Bytes.put16(d, 6, 0);                          // granularity
        Bytes.put16(d, 8, min);
        Bytes.put16(d, 10, max);
        Bytes.put16(d, 12, 0);                         // translation
        Bytes.put16(d, 14, max - min + 1);
        return d;
    }

    /** WordBusNumber(ResourceProducer, MinFixed, MaxFixed, PosDecode, 0, min, max, 0, n). */
    static byte[] wordBusNumber(int min, int max) { return wordAddressSpace(2, 0, min, max); }

    /** WordIO(ResourceProducer, MinFixed, MaxFixed, PosDecode, EntireRange, 0, min, max, 0, n). */
    static byte[] wordIo(int min, int max) { return wordAddressSpace(1, 3, min, max); }

    /** DWordMemory(ResourceProducer, PosDecode, MinFixed, MaxFixed, NonCacheable, ReadWrite, 0, min, max, 0, n) (6.4.3.5.2). */
    static byte[] dwordMemory(long min, long max) {
        byte[] d = new byte[26];
        d[0] = (byte) 0x87;
        Bytes.put16(d, 1, 23);
        d[3] = 0;                                      // memory
        d[4] = 0x0C;
        d[5] = 0x01;                                   // read/write, non-cacheable
        Bytes.put32(d, 6, 0);
        Bytes.put32(d, 10, min);
        Bytes.put32(d, 14, max);
        Bytes.put32(d, 18, 0);
        Bytes.put32(d, 22, max - min + 1);
        return d;
    }
}
