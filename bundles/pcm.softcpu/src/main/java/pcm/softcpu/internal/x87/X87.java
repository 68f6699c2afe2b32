package pcm.softcpu.internal.x87;

/** Status and control word bits of the x87 FPU (SDM vol. 1 §8.1.3, §8.1.5). */
public final class X87 {

    private X87() {}

    // exception flags (status word) and masks (control word), same positions
    public static final int IE = 1, DE = 2, ZE = 4, OE = 8, UE = 0x10, PE = 0x20;
    public static final int EXC = 0x3F;
    // status word only
    public static final int SF = 0x40, ES = 0x80, C0 = 0x100, C1 = 0x200, C2 = 0x400, C3 = 0x4000, B = 0x8000;
    public static final int CC = C0 | C1 | C2 | C3;
    public static final int TOP_SHIFT = 11;
    // control word fields
    public static final int PC_SHIFT = 8, RC_SHIFT = 10;

    /** Vectors the FPU raises. */
    public static final int UD = 6, NM = 7, GP = 13, MF = 16, AC = 17, XM = 19;
}
