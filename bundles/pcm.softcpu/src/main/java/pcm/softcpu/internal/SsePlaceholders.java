package pcm.softcpu.internal;

import static pcm.softcpu.internal.DecodeTable.*;

/**
 * Placeholders for the MMX/SSE/SSE2 encodings of the 0F map and the FXSAVE/FXRSTOR/LDMXCSR/STMXCSR
 * group members until the SSE families land: each stops the vCPU with an
 * {@link UnsupportedInstructionException} naming it (rather than #UD: the instructions exist on every
 * x86-64 CPU and software uses them without asking CPUID). An SSE family registers its entries over these,
 * per mandatory prefix (none = packed single/MMX, 66 = packed double/integer XMM, F3 = scalar single,
 * F2 = scalar double), with {@link DecodeTable#F_MODRM} and the immediate form of the instruction.
 * Encodings of unadvertised extensions (SSE3, SSSE3, SSE4, the 0F 38 and 0F 3A maps, AVX's VEX) are
 * not listed and raise #UD.
 */
final class SsePlaceholders {

    static final String FAMILY = "SSE (not implemented)";

    private SsePlaceholders() {}

    static void register(Builder t) {
        t.unsupported(FAMILY, MAP_0F, 0x10, 0x17, ANY, "SSE/SSE2 0F 10-17");
        t.unsupported(FAMILY, MAP_0F, 0x28, 0x2F, ANY, "SSE/SSE2 0F 28-2F");
        t.unsupported(FAMILY, MAP_0F, 0x50, 0x77, ANY, "MMX/SSE/SSE2 0F 50-77");
        t.unsupported(FAMILY, MAP_0F, 0x7E, 0x7F, ANY, "MMX/SSE2 0F 7E-7F");
        t.unsupported(FAMILY, MAP_0F, 0xC2, 0xC6, ANY, "SSE/SSE2 0F C2-C6");
        t.unsupported(FAMILY, MAP_0F, 0xD0, 0xFE, ANY, "MMX/SSE2 0F D0-FE");
        String[] state = {"FXSAVE", "FXRSTOR", "LDMXCSR", "STMXCSR"};
        for (int op = 0; op < 4; op++) t.unsupportedGroup(FAMILY, MAP_0F, 0xAE, P_NONE, op, MEM, state[op]);
    }
}
