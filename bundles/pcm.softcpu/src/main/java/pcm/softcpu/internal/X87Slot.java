package pcm.softcpu.internal;

import static pcm.softcpu.internal.DecodeTable.*;

/**
 * The x87 family in the decode table (issue 13 items 1 and 2): the escape opcodes D8–DF and FWAIT (9B), EMMS (0F 77)
 * and FXSAVE/FXRSTOR (0F AE /0, /1; REX.W the 64-bit forms), handed to the x87 unit (package
 * {@code pcm.softcpu.internal.x87}) through {@link UnitBridge}. {@link DecodeTable#F_MODRM} makes the decoder call
 * {@code modrm(0)} before the handler ({@link CpuDecode#modrmByte} is the FOP's second byte); a LOCK prefix is refused
 * with #UD before it. {@link CpuidTable#ADVERTISE_X87_AND_SSE} stays off until SSE is in too (Linux needs FPU, FXSR,
 * SSE and SSE2 together).
 */
final class X87Slot {

    static final String FAMILY = "x87";

    private X87Slot() {}

    static void register(Builder t) {
        t.range(FAMILY, MAP_PRIMARY, 0xD8, 0xDF, ANY, F_MODRM, I_NONE, "x87 escape", (c, b) ->
                c.x87.escape(c.x87Host, b, c.mod, c.modrmByte >> 3 & 7, c.modrmByte & 7, c.ea, c.ea - c.sbase, c.rip, c.osz == 2));
        t.op(FAMILY, MAP_PRIMARY, 0x9B, ANY, F_NONE, I_NONE, "FWAIT", (c, b) -> c.x87.fwait(c.x87Host));
        t.op(FAMILY, MAP_0F, 0x77, P_NONE, F_NONE, I_NONE, "EMMS", (c, b) -> c.x87.emms(c.x87Host));
        t.group(FAMILY, MAP_0F, 0xAE, P_NONE, 0, MEM, I_NONE, false, "FXSAVE", (c, b) -> c.x87.fxsave(c.x87Host, c.ea, (c.rex & 8) != 0));
        t.group(FAMILY, MAP_0F, 0xAE, P_NONE, 1, MEM, I_NONE, false, "FXRSTOR", (c, b) -> c.x87.fxrstor(c.x87Host, c.ea, (c.rex & 8) != 0));
    }
}
