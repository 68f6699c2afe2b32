package pcm.boot.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Issue 14 item 2: the AML subset the DSDT is written in (ACPI 6.4 §20.2). */
class AmlTest {

    @Test
    void pkgLengthUsesOneToFourBytes() {
        assertArrayEquals(new byte[] {0x3F}, Aml.pkgLength(62));
        // 63 bytes of content + 2 length bytes = 65 = 0x41: lead 0x41 (1 following byte, nibble 1), then 0x04
        assertArrayEquals(new byte[] {0x41, 0x04}, Aml.pkgLength(63));
        assertArrayEquals(new byte[] {(byte) 0x4F, (byte) 0xFF}, Aml.pkgLength(4093));           // 4095 in 2 bytes
        assertArrayEquals(new byte[] {(byte) 0x81, 0x00, 0x01}, Aml.pkgLength(4094));           // 4097 needs 3
    }

    @Test
    void eisaIdMatchesIasl() {
        assertEquals(0x0105D041L, Aml.eisaId("PNP0501")); // iasl: EisaId ("PNP0501") = 0x0105D041
        assertEquals(0x0303D041L, Aml.eisaId("PNP0303"));
    }

    @Test
    void namesAndIntegers() {
        assertArrayEquals(new byte[] {0x5C, '_', 'S', 'B', '_'}, Aml.nameString("\\_SB"));
        assertArrayEquals(new byte[] {0x5C, 0x2E, '_', 'S', 'B', '_', 'C', 'O', 'M', '1'}, Aml.nameString("\\_SB_.COM1"));
        assertArrayEquals(new byte[] {0x00}, Aml.integer(0));
        assertArrayEquals(new byte[] {0x01}, Aml.integer(1));
        assertArrayEquals(new byte[] {0x0A, 5}, Aml.integer(5));
        assertArrayEquals(new byte[] {0x0B, (byte) 0xF8, 0x03}, Aml.integer(0x3F8));
        assertArrayEquals(new byte[] {0x0C, 0x41, (byte) 0xD0, 0x05, 0x01}, Aml.integer(0x0105D041L));
        assertThrows(IllegalArgumentException.class, () -> Aml.nameString("com1"));
    }

    @Test
    void resourceTemplateEndsWithEndTag() {
        byte[] rt = Aml.resourceTemplate(List.of(Aml.ioPort(0x3F8, 8), Aml.irq(4)));
        // BufferOp, PkgLength, BytePrefix size, 8 (IO) + 3 (IRQ) + 2 (end)
        assertArrayEquals(new byte[] {0x11, 0x10, 0x0A, 13, 0x47, 1, (byte) 0xF8, 3, (byte) 0xF8, 3, 1, 8, 0x22, 0x10, 0, 0x79, 0}, rt);
    }
}
