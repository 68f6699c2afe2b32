package pcm.softcpu.internal;

import static pcm.softcpu.internal.DecodeTable.*;

/**
 * The x87 family's slot in the decode table: the escape opcodes D8–DF and FWAIT (9B), with EMMS (0F 77)
 * and FXSAVE/FXRSTOR (0F AE /0, /1, placeholders in {@link SsePlaceholders}) next to them. Until the x87
 * engine (package {@code pcm.softcpu.internal.x87}) is plugged in they stop the vCPU with an
 * {@link UnsupportedInstructionException} naming them.
 * <p>
 * Plugging it in is this method's body. The hook of the i13-x87 branch (written against the old
 * {@code Cpu.execHigh}: {@code modrm(0)} then {@code x87.escape(...)}) becomes, with its fields
 * {@code x87}/{@code x87Host} on {@code Cpu} (package-visible) and {@code modrmByte} already here
 * ({@link CpuDecode#modrmByte}):
 * <pre>
 * t.range(FAMILY, MAP_PRIMARY, 0xD8, 0xDF, ANY, F_MODRM, I_NONE, "x87 escape", (c, b) -&gt;
 *         c.x87.escape(c.x87Host, b, c.mod, c.modrmByte &gt;&gt; 3 &amp; 7, c.modrmByte &amp; 7, c.ea, c.ea - c.sbase, c.rip, c.osz == 2));
 * t.op(FAMILY, MAP_PRIMARY, 0x9B, ANY, F_NONE, I_NONE, "FWAIT", (c, b) -&gt; c.x87.fwait(c.x87Host));
 * t.op(FAMILY, MAP_0F, 0x77, P_NONE, F_NONE, I_NONE, "EMMS", (c, b) -&gt; c.x87.emms(c.x87Host));
 * t.group(FAMILY, MAP_0F, 0xAE, P_NONE, 0, MEM, I_NONE, false, "FXSAVE", (c, b) -&gt; c.x87.fxsave(c.x87Host, c.ea, (c.rex &amp; 8) != 0));
 * t.group(FAMILY, MAP_0F, 0xAE, P_NONE, 1, MEM, I_NONE, false, "FXRSTOR", (c, b) -&gt; c.x87.fxrstor(c.x87Host, c.ea, (c.rex &amp; 8) != 0));
 * </pre>
 * {@link DecodeTable#F_MODRM} makes the decoder call {@code modrm(0)} before the handler, as the old hook
 * did; a LOCK prefix is refused with #UD before it. Then turn on {@link CpuidTable#ADVERTISE_X87_AND_SSE}
 * once SSE is in too (Linux needs FPU, FXSR, SSE and SSE2 together).
 */
final class X87Slot {

    static final String FAMILY = "x87";

    private X87Slot() {}

    static void register(Builder t) {
        t.unsupported(FAMILY, MAP_PRIMARY, 0xD8, 0xDF, ANY, "x87 (D8-DF)");
        t.unsupported(FAMILY, MAP_PRIMARY, 0x9B, 0x9B, ANY, "FWAIT");
    }

    /** A single entry method, for an engine that prefers one (see the class comment); not registered yet. */
    static void exec(Cpu c, int opcode) {
        throw c.unsupported(opcode == 0x9B ? "FWAIT" : "x87 (D8-DF)");
    }
}
