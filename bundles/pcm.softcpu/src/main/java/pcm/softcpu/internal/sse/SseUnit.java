package pcm.softcpu.internal.sse;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

import pcm.softcpu.internal.x87.SimdState;

/**
 * The SSE/SSE2 execution unit of one vCPU (issue 13 item 2): the register file ({@link SimdState}, shared
 * with FXSAVE/FXRSTOR), the operands of the current instruction and their access rules.
 * <p>
 * Every SSE instruction starts with {@link #begin}: #UD if CR0.EM = 1 or CR4.OSFXSR = 0, then #NM if
 * CR0.TS = 1 (SDM vol. 3 §13.1, Table 2-22 of vol. 2; #UD has priority as in the instruction pages). Memory
 * operands: the 128-bit forms that require alignment raise #GP(0) on an address that is not 16-aligned
 * before any access (no #AC; in the AMD model MXCSR.MM lifts it for all but the aligned moves, MOVNT* and
 * FXSAVE/FXRSTOR), the others accept any address; a 128-bit store that crosses a page checks
 * both pages before writing anything, so a #PF leaves memory untouched.
 */
public final class SseUnit {

    static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    public static final int UD = 6, NM = 7, GP = 13, XM = 19;

    public final SimdState s;
    final SseHost h;

    /** ModRM reg (XMM or GPR index 0-15), rm (0-15, or -1 for a memory operand), effective address, REX.W. */
    int reg, rm;
    long ea;
    boolean w;
    /** Exception flags of the current FP lane, and the pre-/post-computation flags of all lanes so far ({@link SseFpGlue}). */
    final pcm.softcpu.internal.sse.fp.FpFlags fpf = new pcm.softcpu.internal.sse.fp.FpFlags();
    int fpPre, fpPost;
    /**
     * RCPPS/RSQRTPS: the exact model of the CPU this one stands for, or null with {@link #recipMissing} saying why
     * ({@link SseRecip#configure}, chosen with the vendor model).
     */
    pcm.softcpu.internal.sse.fp.RecipModel recip;
    String recipMissing = "no model selected";
    /** The 128-bit source operand after {@link #src128} (low and high quadword). */
    long srcLo, srcHi;

    /** The x87 state the MMX registers alias (the conversions with an MMX operand: {@link SseMmxConvert}). */
    final pcm.softcpu.internal.x87.X87State x87;

    public SseUnit(pcm.softcpu.internal.x87.X87State x87, SseHost h) {
        this.x87 = x87;
        this.s = x87.simd;
        this.h = h;
    }

    /** Captures the decoded operands and applies the availability checks (unless {@code gated} is false). */
    public void begin(int reg, int rm, long ea, boolean rexW, boolean gated) {
        if (gated) {
            long cr0 = h.cr0();
            if ((cr0 & SseHost.CR0_EM) != 0 || (h.cr4() & SseHost.CR4_OSFXSR) == 0) throw h.fault(UD, 0);
            if ((cr0 & SseHost.CR0_TS) != 0) throw h.fault(NM, 0);
        }
        this.reg = reg;
        this.rm = rm;
        this.ea = ea;
        this.w = rexW;
    }

    // ---- register file ----

    long lo(int x) { return (long) LONG.get(s.xmm, x << 4); }

    long hi(int x) { return (long) LONG.get(s.xmm, (x << 4) + 8); }

    void set(int x, long lo, long hi) {
        LONG.set(s.xmm, x << 4, lo);
        LONG.set(s.xmm, (x << 4) + 8, hi);
    }

    void setLo(int x, long lo) { LONG.set(s.xmm, x << 4, lo); }

    void setHi(int x, long hi) { LONG.set(s.xmm, (x << 4) + 8, hi); }

    int dword(int x, int lane) { return (int) INT.get(s.xmm, (x << 4) + 4 * lane); }

    void setDword(int x, int lane, int v) { INT.set(s.xmm, (x << 4) + 4 * lane, v); }

    // ---- operands ----

    boolean memory() { return rm < 0; }

    int imm8() { return h.fetchImm8(); }

    RuntimeException gp0() { return h.fault(GP, 0); }

    /** MXCSR.MM (bit 17): AMD's misaligned-SSE mask; only the AMD model's MXCSR_MASK lets it be set. */
    static final int MXCSR_MM = 0x20000;

    /**
     * The xmm/m128 source into {@link #srcLo}/{@link #srcHi} of a packed operation; {@code aligned}: #GP(0) unless
     * 16-aligned, or MXCSR.MM is set (AMD: misaligned operands allowed, measured; #AC is not modelled).
     */
    void src128(boolean aligned) {
        loadSrc128(aligned && (s.mxcsr & MXCSR_MM) == 0);
    }

    /** The xmm/m128 source of MOVAPS/MOVAPD/MOVDQA: #GP(0) unless 16-aligned, whatever MXCSR.MM (measured on AMD). */
    void src128Aligned() { loadSrc128(true); }

    private void loadSrc128(boolean aligned) {
        if (rm >= 0) {
            srcLo = lo(rm);
            srcHi = hi(rm);
            return;
        }
        if (aligned && (ea & 15) != 0) throw gp0();
        srcLo = h.read(ea, 8);
        srcHi = h.read(ea + 8, 8);
    }

    /** The xmm/m64 source: the register's low quadword or 8 bytes of memory. */
    long src64() { return rm >= 0 ? lo(rm) : h.read(ea, 8); }

    /** The xmm/m32 source: the register's low dword or 4 bytes of memory. */
    int src32() { return rm >= 0 ? (int) lo(rm) : (int) h.read(ea, 4); }

    /** The r/m32 or r/m64 (REX.W) integer source of MOVD/MOVQ, CVTSI2SS/SD, PINSRW. */
    long srcGpr(int size) {
        if (rm >= 0) {
            long v = h.gpr(rm);
            return size == 8 ? v : size == 4 ? v & 0xFFFFFFFFL : v & 0xFFFF;
        }
        return h.read(ea, size);
    }

    /** Stores 16 bytes at the memory operand ({@code aligned}: MOVAPS/MOVAPD/MOVDQA/MOVNT*, whatever MXCSR.MM). */
    void store128(long lo, long hi, boolean aligned) {
        if (aligned && (ea & 15) != 0) throw gp0();
        if ((ea & 0xFFF) > 0xFF0) h.checkWritable(ea, 16); // nothing is written when the second page faults
        h.write(ea, 8, lo);
        h.write(ea + 8, 8, hi);
    }

    /** Writes the result of a destination that is xmm/m128 (MOVAPS/MOVDQA store forms). */
    void dest128(long lo, long hi, boolean aligned) {
        if (rm >= 0) set(rm, lo, hi);
        else store128(lo, hi, aligned);
    }

    /** The register-destination result of a packed operation: XMM[reg] = lo:hi. */
    void result(long lo, long hi) { set(reg, lo, hi); }
}
