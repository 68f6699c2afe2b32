package pcm.softcpu.internal;

import static pcm.softcpu.internal.DecodeTable.*;

/**
 * The SSE/SSE2 encodings that exist but are not implemented: the conversions between XMM and MMX registers or m64 (CVTPI2PS/PD, CVT(T)PS2PI, CVT(T)PD2PI). Each stops the vCPU with an
 * {@link UnsupportedInstructionException} naming it, rather than #UD: software uses them without asking
 * CPUID. {@link SseSlot} registers what is implemented; the MMX-register forms of the integer instructions
 * (no prefix) are not registered (#UD: MMX is not advertised), and neither are SSE3 and later encodings.
 */
final class SsePlaceholders {

    static final String FAMILY = "SSE (not implemented)";

    private SsePlaceholders() {}

    static void register(Builder t) {
        t.unsupported(FAMILY, MAP_0F, 0x2A, 0x2A, P_NONE | P_66, "CVTPI2PS/CVTPI2PD");
        t.unsupported(FAMILY, MAP_0F, 0x2C, 0x2D, P_NONE | P_66, "CVT(T)PS2PI/CVT(T)PD2PI");
    }
}
