package pcm.softcpu.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Issue 13 item 5: the decode table's registration rules and lookup by map, mandatory prefix and ModRM. */
class DecodeTableTest {

    static final DecodeTable T = DecodeTable.STANDARD;

    @Test
    void lookupByMandatoryPrefixAndModrm() {
        assertEquals("shifts and bits:POPCNT Gv,Ev", T.lookup(DecodeTable.MAP_0F, 2, 0xB8).toString());
        assertNull(T.lookup(DecodeTable.MAP_0F, 0, 0xB8), "0F B8 without F3 is #UD");
        DecodeTable.Entry c7 = T.lookup(DecodeTable.MAP_0F, 2, 0xC7);
        assertEquals("system:RDPID Rq", c7.select(0xF8).toString());
        assertNull(c7.select(0xF0), "F3 0F C7 /6 is #UD");
        assertEquals("system:RDSEED Rv", T.lookup(DecodeTable.MAP_0F, 0, 0xC7).select(0xF8).toString());
        assertEquals("integer ALU:CMPXCHG8B/16B", T.lookup(DecodeTable.MAP_0F, 0, 0xC7).select(0x0F).toString());
        DecodeTable.Entry g7 = T.lookup(DecodeTable.MAP_0F, 0, 0x01);
        assertEquals("system:SWAPGS", g7.select(0xF8).toString());
        assertEquals("system:INVLPG M", g7.select(0x38).toString());
        assertNull(g7.select(0xFA), "0F 01 FA (MONITORX) is #UD");
        assertEquals("system:SMSW Rv", g7.select(0xE0).toString());
        for (int op = 0; op < 256; op++) {
            assertNull(T.lookup(DecodeTable.MAP_0F38, 0, op), "0F 38 map: nothing advertised");
        }
    }

    @Test
    void placeholdersNameTheFamilyAndCanBeReplaced() {
        assertTrue(T.lookup(DecodeTable.MAP_0F, 0, 0x02).placeholder, "LAR: not implemented");
        assertFalse(T.lookup(DecodeTable.MAP_0F, 0, 0x53).placeholder, "RCPPS is registered (SseRecip)");
        assertEquals("SSE:ADDPS", T.lookup(DecodeTable.MAP_0F, 0, 0x58).toString());
        assertNull(T.lookup(DecodeTable.MAP_0F, 0, 0xFC), "PADDB mm: MMX is not advertised");
        assertFalse(T.lookup(DecodeTable.MAP_PRIMARY, 1, 0xDD).placeholder, "x87 is registered (X87Slot)");
        assertEquals("x87:x87 escape", T.lookup(DecodeTable.MAP_PRIMARY, 1, 0xDD).toString());
        DecodeTable.Builder b = new DecodeTable.Builder();
        b.unsupported("SSE (not implemented)", DecodeTable.MAP_0F, 0x53, 0x53, DecodeTable.P_NONE, "RCPPS");
        b.op("SSE floating point", DecodeTable.MAP_0F, 0x53, DecodeTable.P_NONE, DecodeTable.F_MODRM, DecodeTable.I_NONE,
                "RCPPS", (c, op) -> { }); // a family's registration replaces the placeholder
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> b.op("other", DecodeTable.MAP_0F, 0x53,
                DecodeTable.P_NONE, DecodeTable.F_NONE, DecodeTable.I_NONE, "clash", (c, op) -> { }));
        assertTrue(e.getMessage().contains("registered twice"), e.getMessage());
    }

    @Test
    void everyPrimaryOpcodeOfTheOldDecoderIsRegistered() {
        List<String> all = T.describe();
        assertTrue(all.size() > 500, "entries " + all.size());
        int[] invalid64 = {0x06, 0x07, 0x0E, 0x16, 0x17, 0x1E, 0x1F, 0x27, 0x2F, 0x37, 0x3F, 0x60, 0x61, 0x62, 0x82, 0x9A,
            0xC4, 0xC5, 0xCE, 0xD4, 0xD5, 0xD6, 0xEA};
        for (int op = 0; op < 256; op++) {
            if (op == 0x0F || (op & 0xF0) == 0x40 || op == 0x26 || op == 0x2E || op == 0x36 || op == 0x3E || op == 0x64 || op == 0x65
                    || op == 0x66 || op == 0x67 || op == 0xF0 || op == 0xF2 || op == 0xF3) {
                continue; // prefixes and the escape
            }
            final int o = op;
            boolean undefined = java.util.Arrays.stream(invalid64).anyMatch(x -> x == o);
            DecodeTable.Entry e = T.lookup(DecodeTable.MAP_PRIMARY, 0, op);
            if (undefined) assertNull(e, String.format("%02X is invalid in 64-bit mode", op));
            else assertTrue(e != null, String.format("%02X registered", op));
        }
    }
}
