package pcm.softcpu.internal.sse;

import static pcm.softcpu.internal.sse.SseTable.*;

import pcm.core.api.cpu.CpuIdentity;
import pcm.softcpu.internal.sse.fp.AmdRecip;
import pcm.softcpu.internal.sse.fp.RecipModel;
import pcm.softcpu.internal.sse.fp.TcgRecip;

/**
 * RCPPS/RCPSS/RSQRTPS/RSQRTSS (0F 53, F3 0F 53, 0F 52, F3 0F 52). Their bits are the implementation's: the soft CPU
 * computes them with the exact model of the CPU it stands for ({@link RecipModel}), chosen with the vendor model
 * and the CPU's family ({@link #select}), and where it has none it stops with the unsupported-instruction error
 * naming the instruction and why (a replay then answers INCONCLUSIVE, never a guess that could MATCH or DIVERGE
 * wrongly). Packed forms take an xmm/m128 operand (16-aligned unless AMD's MXCSR.MM), scalar ones xmm/m32 and keep
 * the destination's upper three lanes. Neither raises an SIMD exception nor sets an MXCSR flag on any model.
 */
public final class SseRecip {

    private SseRecip() {}

    /** AMD families whose RCP/RSQRT tables were measured ({@link AmdRecip}): 1Ah (model 02h). */
    static final int[] AMD_MEASURED_FAMILIES = {0x1A};

    static void register(SseTable t) {
        t.op(P_NONE, 0x53, EITHER, 0, "RCPPS", u -> packed(u, "RCPPS", false));
        t.op(P_NONE, 0x52, EITHER, 0, "RSQRTPS", u -> packed(u, "RSQRTPS", true));
        t.op(P_F3, 0x53, EITHER, 0, "RCPSS", u -> scalar(u, "RCPSS", false));
        t.op(P_F3, 0x52, EITHER, 0, "RSQRTSS", u -> scalar(u, "RSQRTSS", true));
    }

    private static void packed(SseUnit u, String name, boolean sqrt) {
        u.src128(true); // the operand's faults come first: they do not depend on the model
        RecipModel m = model(u, name);
        int mx = u.s.mxcsr;
        long lo = u.srcLo, hi = u.srcHi;
        u.result(SseFpGlue.pack(lane(m, (int) lo, mx, sqrt), lane(m, (int) (lo >>> 32), mx, sqrt)),
                SseFpGlue.pack(lane(m, (int) hi, mx, sqrt), lane(m, (int) (hi >>> 32), mx, sqrt)));
    }

    private static void scalar(SseUnit u, String name, boolean sqrt) {
        int x = u.src32();
        RecipModel m = model(u, name);
        u.setDword(u.reg, 0, lane(m, x, u.s.mxcsr, sqrt));
    }

    private static int lane(RecipModel m, int x, int mxcsr, boolean sqrt) {
        return sqrt ? m.rsqrt(x, mxcsr) : m.rcp(x, mxcsr);
    }

    private static RecipModel model(SseUnit u, String name) {
        if (u.recip == null) throw u.h.unsupported(name + ": " + u.recipMissing);
        return u.recip;
    }

    /** The display family of a CPUID.1:EAX signature (base family, plus the extended family when it is 0Fh). */
    static int family(int signature) {
        int base = (signature >>> 8) & 0xF;
        return base == 0xF ? base + ((signature >>> 20) & 0xFF) : base;
    }

    /**
     * The exact model for a vendor model ({@link CpuIdentity#AMD_FLAGS}, ...) and CPUID signature, or null:
     * {@link AmdRecip} for the AMD families measured, {@link TcgRecip} for QEMU's TCG (a new one: it holds scratch
     * state), none for Intel (not measured yet) and for AMD families not measured.
     */
    public static RecipModel select(String vendorModel, int signature) {
        if (CpuIdentity.TCG_FLAGS.equals(vendorModel)) return new TcgRecip();
        if (CpuIdentity.AMD_FLAGS.equals(vendorModel)) {
            for (int f : AMD_MEASURED_FAMILIES) if (family(signature) == f) return AmdRecip.INSTANCE;
        }
        return null;
    }

    /** Why {@link #select} has no model (for the unsupported-instruction error), or null when it has one. */
    public static String missing(String vendorModel, int signature) {
        if (select(vendorModel, signature) != null) return null;
        String cpu = "vendor model '" + vendorModel + "', CPUID signature 0x" + Integer.toHexString(signature);
        return "its result bits are implementation-specific and the soft CPU has no exact model of the recording CPU's ("
                + cpu + "; measured: AMD family " + Integer.toHexString(AMD_MEASURED_FAMILIES[0]).toUpperCase()
                + "h, QEMU TCG; Intel not measured yet)";
    }

    /** Gives {@code u} the model of that CPU (or none, with the reason). */
    public static void configure(SseUnit u, String vendorModel, int signature) {
        u.recip = select(vendorModel, signature);
        u.recipMissing = u.recip == null ? missing(vendorModel, signature) : null;
    }
}
