package pcm.softcpu.internal.sse.fp;

import java.util.ArrayList;
import java.util.List;

/** Every scalar instruction the oracle knows, with the {@link SseFloat} call that must agree with it. */
final class SseFpOps {

    private SseFpOps() {
    }

    /** Operand domains. */
    enum Dom { F32, F64, I32, I64, F32X2 }

    interface Impl {
        long apply(long a, long b, int mxcsr, FpFlags f);
    }

    /** An instruction: native mnemonic, operand domain, arity, result width in bits, and the library call. */
    record Op(String name, Dom dom, int arity, int resultBits, Impl impl) {
        long mask() {
            return resultBits == 64 ? -1L : (1L << resultBits) - 1;
        }
    }

    /** Two float32 lanes in each operand, as the glue does it: each lane ORs in, then the instruction settles. */
    private static long packed2(long a, long b, int m, FpFlags f, boolean add) {
        long r = 0;
        for (int lane = 0; lane < 2; lane++) {
            int x = (int) (a >>> 32 * lane), y = (int) (b >>> 32 * lane);
            int v = add ? SseFloat.addF32(x, y, m, f) : SseFloat.mulF32(x, y, m, f);
            r |= (v & 0xFFFFFFFFL) << 32 * lane;
        }
        f.finishInstruction(m);
        return r;
    }

    static List<Op> all() {
        List<Op> ops = new ArrayList<>();
        ops.add(new Op("addss", Dom.F32, 2, 32, (a, b, m, f) -> SseFloat.addF32((int) a, (int) b, m, f)));
        ops.add(new Op("subss", Dom.F32, 2, 32, (a, b, m, f) -> SseFloat.subF32((int) a, (int) b, m, f)));
        ops.add(new Op("mulss", Dom.F32, 2, 32, (a, b, m, f) -> SseFloat.mulF32((int) a, (int) b, m, f)));
        ops.add(new Op("divss", Dom.F32, 2, 32, (a, b, m, f) -> SseFloat.divF32((int) a, (int) b, m, f)));
        ops.add(new Op("sqrtss", Dom.F32, 1, 32, (a, b, m, f) -> SseFloat.sqrtF32((int) a, m, f)));
        ops.add(new Op("minss", Dom.F32, 2, 32, (a, b, m, f) -> SseFloat.minF32((int) a, (int) b, m, f)));
        ops.add(new Op("maxss", Dom.F32, 2, 32, (a, b, m, f) -> SseFloat.maxF32((int) a, (int) b, m, f)));
        ops.add(new Op("addsd", Dom.F64, 2, 64, (a, b, m, f) -> SseFloat.addF64(a, b, m, f)));
        ops.add(new Op("subsd", Dom.F64, 2, 64, (a, b, m, f) -> SseFloat.subF64(a, b, m, f)));
        ops.add(new Op("mulsd", Dom.F64, 2, 64, (a, b, m, f) -> SseFloat.mulF64(a, b, m, f)));
        ops.add(new Op("divsd", Dom.F64, 2, 64, (a, b, m, f) -> SseFloat.divF64(a, b, m, f)));
        ops.add(new Op("sqrtsd", Dom.F64, 1, 64, (a, b, m, f) -> SseFloat.sqrtF64(a, m, f)));
        ops.add(new Op("minsd", Dom.F64, 2, 64, (a, b, m, f) -> SseFloat.minF64(a, b, m, f)));
        ops.add(new Op("maxsd", Dom.F64, 2, 64, (a, b, m, f) -> SseFloat.maxF64(a, b, m, f)));
        for (int p = 0; p < 8; p++) {
            int pred = p;
            ops.add(new Op("cmpss" + p, Dom.F32, 2, 32,
                    (a, b, m, f) -> SseFloat.cmpF32((int) a, (int) b, pred, m, f) ? 0xFFFFFFFFL : 0));
            ops.add(new Op("cmpsd" + p, Dom.F64, 2, 64,
                    (a, b, m, f) -> SseFloat.cmpF64(a, b, pred, m, f) ? -1L : 0));
        }
        ops.add(new Op("comiss", Dom.F32, 2, 8, (a, b, m, f) -> SseFloat.comiF32((int) a, (int) b, m, f)));
        ops.add(new Op("ucomiss", Dom.F32, 2, 8, (a, b, m, f) -> SseFloat.ucomiF32((int) a, (int) b, m, f)));
        ops.add(new Op("comisd", Dom.F64, 2, 8, (a, b, m, f) -> SseFloat.comiF64(a, b, m, f)));
        ops.add(new Op("ucomisd", Dom.F64, 2, 8, (a, b, m, f) -> SseFloat.ucomiF64(a, b, m, f)));
        ops.add(new Op("cvtsi2ss", Dom.I32, 1, 32, (a, b, m, f) -> SseFloat.cvtI32ToF32((int) a, m, f)));
        ops.add(new Op("cvtsi2ssq", Dom.I64, 1, 32, (a, b, m, f) -> SseFloat.cvtI64ToF32(a, m, f)));
        ops.add(new Op("cvtsi2sd", Dom.I32, 1, 64, (a, b, m, f) -> SseFloat.cvtI32ToF64((int) a)));
        ops.add(new Op("cvtsi2sdq", Dom.I64, 1, 64, (a, b, m, f) -> SseFloat.cvtI64ToF64(a, m, f)));
        ops.add(new Op("cvtss2si", Dom.F32, 1, 32, (a, b, m, f) -> SseFloat.cvtF32ToI32((int) a, false, m, f)));
        ops.add(new Op("cvttss2si", Dom.F32, 1, 32, (a, b, m, f) -> SseFloat.cvtF32ToI32((int) a, true, m, f)));
        ops.add(new Op("cvtss2siq", Dom.F32, 1, 64, (a, b, m, f) -> SseFloat.cvtF32ToI64((int) a, false, m, f)));
        ops.add(new Op("cvttss2siq", Dom.F32, 1, 64, (a, b, m, f) -> SseFloat.cvtF32ToI64((int) a, true, m, f)));
        ops.add(new Op("cvtsd2si", Dom.F64, 1, 32, (a, b, m, f) -> SseFloat.cvtF64ToI32(a, false, m, f)));
        ops.add(new Op("cvttsd2si", Dom.F64, 1, 32, (a, b, m, f) -> SseFloat.cvtF64ToI32(a, true, m, f)));
        ops.add(new Op("cvtsd2siq", Dom.F64, 1, 64, (a, b, m, f) -> SseFloat.cvtF64ToI64(a, false, m, f)));
        ops.add(new Op("cvttsd2siq", Dom.F64, 1, 64, (a, b, m, f) -> SseFloat.cvtF64ToI64(a, true, m, f)));
        ops.add(new Op("cvtss2sd", Dom.F32, 1, 64, (a, b, m, f) -> SseFloat.cvtF32ToF64((int) a, m, f)));
        ops.add(new Op("cvtsd2ss", Dom.F64, 1, 32, (a, b, m, f) -> SseFloat.cvtF64ToF32(a, m, f)));
        ops.add(new Op("addps2", Dom.F32X2, 2, 64, (a, b, m, f) -> packed2(a, b, m, f, true)));
        ops.add(new Op("mulps2", Dom.F32X2, 2, 64, (a, b, m, f) -> packed2(a, b, m, f, false)));
        return ops;
    }
}
