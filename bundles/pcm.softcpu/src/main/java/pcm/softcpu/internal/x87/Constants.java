package pcm.softcpu.internal.x87;

/**
 * FLDL2T, FLDL2E, FLDPI, FLDLG2, FLDLN2: the constants to 128 bits, rounded to 64 by the rounding
 * control as the FPU does (no precision exception). All are positive and irrational, so there are no ties.
 */
final class Constants {

    private Constants() {}

    record Value(int se, long hi, long lo) {
        F80 rounded(int rc) {
            boolean inc = switch (rc) {
                case Rounding.RN -> lo < 0; // the bit after the 64th set, and the rest never all zero
                case Rounding.RU -> lo != 0;
                default -> false;
            };
            return new F80(se, inc ? hi + 1 : hi);
        }
    }

    static final Value L2T = new Value(0x4000, 0xd49a784bcd1b8afeL, 0x492bf6ff4dafdb4cL);
    static final Value L2E = new Value(0x3FFF, 0xb8aa3b295c17f0bbL, 0xbe87fed0691d3e88L);
    static final Value PI = new Value(0x4000, 0xc90fdaa22168c234L, 0xc4c6628b80dc1cd1L);
    static final Value LG2 = new Value(0x3FFD, 0x9a209a84fbcff798L, 0x8f8959ac0b7c9178L);
    static final Value LN2 = new Value(0x3FFE, 0xb17217f7d1cf79abL, 0xc9e3b39803f2f6afL);
}
