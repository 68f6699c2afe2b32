package pcm.softcpu.internal;

import static pcm.softcpu.internal.DecodeTable.*;

/**
 * The SSE/SSE2 encodings that exist but are not implemented yet: the floating-point arithmetic, compares
 * and conversions (issue 13 item 2; they wait for the IEEE-754 core of package
 * {@code pcm.softcpu.internal.sse.fp}), and the conversions between XMM and MMX registers or m64
 * (CVTPI2PS/PD, CVT(T)PS2PI, CVT(T)PD2PI). Each stops the vCPU with an {@link UnsupportedInstructionException}
 * naming it, rather than #UD: software uses them without asking CPUID. {@link SseSlot} registers what is
 * implemented; the MMX-register forms of the integer instructions (no prefix) are not registered (#UD:
 * MMX is not advertised), and neither are SSE3 and later encodings.
 */
final class SsePlaceholders {

    static final String FAMILY = "SSE (not implemented)";

    private SsePlaceholders() {}

    static void register(Builder t) {
        t.unsupported(FAMILY, MAP_0F, 0x2A, 0x2A, ANY, "CVTSI2SS/CVTSI2SD/CVTPI2PS/CVTPI2PD");
        t.unsupported(FAMILY, MAP_0F, 0x2C, 0x2D, ANY, "CVT(T)SS2SI/CVT(T)SD2SI/CVT(T)PS2PI/CVT(T)PD2PI");
        t.unsupported(FAMILY, MAP_0F, 0x2E, 0x2F, P_NONE | P_66, "UCOMISS/UCOMISD/COMISS/COMISD");
        t.unsupported(FAMILY, MAP_0F, 0x51, 0x51, ANY, "SQRTPS/SQRTPD/SQRTSS/SQRTSD");
        t.unsupported(FAMILY, MAP_0F, 0x52, 0x53, P_NONE | P_F3, "RSQRTPS/RSQRTSS/RCPPS/RCPSS");
        t.unsupported(FAMILY, MAP_0F, 0x58, 0x59, ANY, "ADD/MUL PS/PD/SS/SD");
        t.unsupported(FAMILY, MAP_0F, 0x5A, 0x5A, ANY, "CVTPS2PD/CVTPD2PS/CVTSS2SD/CVTSD2SS");
        t.unsupported(FAMILY, MAP_0F, 0x5B, 0x5B, P_NONE | P_66 | P_F3, "CVTDQ2PS/CVTPS2DQ/CVTTPS2DQ");
        t.unsupported(FAMILY, MAP_0F, 0x5C, 0x5F, ANY, "SUB/MIN/DIV/MAX PS/PD/SS/SD");
        t.unsupported(FAMILY, MAP_0F, 0xC2, 0xC2, ANY, "CMPPS/CMPPD/CMPSS/CMPSD");
        t.unsupported(FAMILY, MAP_0F, 0xE6, 0xE6, P_66 | P_F3 | P_F2, "CVTTPD2DQ/CVTDQ2PD/CVTPD2DQ");
    }
}
