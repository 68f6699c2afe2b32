package pcm.softcpu.internal.sse.fp;

/**
 * The exception flags one or more {@link SseFloat} operations raised, in the MXCSR flag layout (bits 0-5:
 * {@link #IE}, {@link #DE}, {@link #ZE}, {@link #OE}, {@link #UE}, {@link #PE}). Operations only OR bits in:
 * the caller clears {@link #bits} when it starts an instruction (or a lane) and reuses the object, so the
 * hot path allocates nothing. Not thread-safe: one per CPU.
 *
 * <p>Pre-computation flags (IE, DE, ZE: {@link #PRE_COMPUTATION}) are found before a result exists,
 * post-computation flags (OE, UE, PE) after. For a lane whose pre-computation exception is unmasked in the
 * MXCSR passed, the operation stops there: only the pre-computation flags are reported (the result returned
 * is then meaningless). A packed instruction ORs all its lanes into one object and then calls
 * {@link #finishInstruction}: when any lane had an unmasked pre-computation exception the instruction reports
 * the pre-computation flags of all lanes and no post-computation flag of any lane (measured: DE in lane 0
 * unmasked drops lane 1's OE|PE; with only post-computation exceptions unmasked every lane's flags stay).
 */
public final class FpFlags {

    public static final int IE = 0x01;
    public static final int DE = 0x02;
    public static final int ZE = 0x04;
    public static final int OE = 0x08;
    public static final int UE = 0x10;
    public static final int PE = 0x20;
    public static final int PRE_COMPUTATION = IE | DE | ZE;
    public static final int POST_COMPUTATION = OE | UE | PE;
    public static final int ALL = 0x3F;

    /** Accumulated flags, MXCSR bits 0-5. */
    public int bits;

    /** Clears the flags (start of an instruction or lane). */
    public void clear() {
        bits = 0;
    }

    /** The flags whose exception is unmasked in {@code mxcsr} (mask bits 7-12): non-zero means #XM (or #UD
     *  when CR4.OSXMMEXCPT is clear), which the glue raises instead of writing the destination. */
    public int unmasked(int mxcsr) {
        return bits & ~(mxcsr >>> 7) & ALL;
    }

    /**
     * Settles the flags of a whole instruction after every lane ORed its own in: drops the post-computation
     * flags when a pre-computation exception is unmasked. Returns {@link #unmasked}: non-zero means #XM and no
     * destination write (a scalar instruction may call it too; it changes nothing there).
     */
    public int finishInstruction(int mxcsr) {
        if ((bits & PRE_COMPUTATION & ~(mxcsr >>> 7)) != 0) bits &= PRE_COMPUTATION;
        return unmasked(mxcsr);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        String[] names = {"IE", "DE", "ZE", "OE", "UE", "PE"};
        for (int i = 0; i < 6; i++) if ((bits & (1 << i)) != 0) s.append(s.isEmpty() ? "" : "|").append(names[i]);
        return s.isEmpty() ? "-" : s.toString();
    }
}
