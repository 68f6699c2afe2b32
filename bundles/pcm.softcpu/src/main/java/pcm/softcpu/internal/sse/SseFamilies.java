package pcm.softcpu.internal.sse;

/**
 * The SSE/SSE2 instruction families, for the interpreter's {@code SseSlot} to register in its decode table
 * (issue 13 item 2): every SSE/SSE2 encoding with an XMM operand. What is not declared here is #UD: the MMX-register
 * forms of the integer instructions (MMX is not advertised), SSE3 and later.
 */
public final class SseFamilies {

    private SseFamilies() {}

    public static void register(SseTable t) {
        SseMoves.register(t);
        MxcsrControl.register(t);
        SsePackedInt.register(t);
        SseShifts.register(t);
        SseShuffles.register(t);
        SseLogic.register(t);
        SseFpArith.register(t);
        SseConvert.register(t);
        SseRecip.register(t);
        SseMmxConvert.register(t);
    }
}
