package pcm.softcpu.internal;

import static pcm.softcpu.internal.DecodeTable.*;

/**
 * The x87 family's slot in the decode table: the escape opcodes D8–DF and FWAIT (9B). Until the x87
 * engine (package {@code pcm.softcpu.internal.x87}) is plugged in they stop the vCPU with an
 * {@link UnsupportedInstructionException} naming them.
 * <p>
 * Plugging it in is one change here: register {@link #exec} instead of the placeholders, e.g.
 * <pre>
 * t.range(FAMILY, MAP_PRIMARY, 0xD8, 0xDF, ANY, F_NONE, I_NONE, "x87 escape", X87Slot::exec);
 * t.op(FAMILY, MAP_PRIMARY, 0x9B, ANY, F_NONE, I_NONE, "FWAIT", X87Slot::exec);
 * </pre>
 * and let {@link #exec} call the engine's entry method. The entries use form {@link DecodeTable#F_NONE}: the
 * handler gets control right after the opcode byte, with the prefixes decoded ({@code c.osz}, {@code c.rex},
 * {@code c.rep}, {@code c.a32}, {@code c.sbase}) and the ModRM byte not yet consumed, so the engine calls
 * {@code c.modrm(0)} itself, as a case in the old {@code Cpu.execHigh} switch would have. (A LOCK prefix is
 * refused with #UD before the handler runs.)
 */
final class X87Slot {

    static final String FAMILY = "x87";

    private X87Slot() {}

    static void register(Builder t) {
        t.unsupported(FAMILY, MAP_PRIMARY, 0xD8, 0xDF, ANY, "x87 (D8-DF)");
        t.unsupported(FAMILY, MAP_PRIMARY, 0x9B, 0x9B, ANY, "FWAIT");
    }

    /** The entry the x87 engine plugs into (see the class comment); not registered yet. */
    static void exec(Cpu c, int opcode) {
        throw c.unsupported(opcode == 0x9B ? "FWAIT" : "x87 (D8-DF)");
    }
}
