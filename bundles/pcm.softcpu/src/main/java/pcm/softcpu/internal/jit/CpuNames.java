package pcm.softcpu.internal.jit;

import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;

/**
 * The members of the soft CPU ({@code pcm.softcpu.internal.Cpu} and the layers it extends) that translated code
 * uses, by name and descriptor: generated classes are defined in that package (a hidden class of its lookup), so
 * they reach these package-private members directly. {@code BlockCompiler} checks at start-up that every name
 * resolves and that the lazy-flag operation numbers equal {@code CpuState}'s.
 */
public final class CpuNames {

    private CpuNames() {}

    public static final String PACKAGE = "pcm.softcpu.internal";
    public static final ClassDesc CPU = ClassDesc.of(PACKAGE + ".Cpu");
    static final ClassDesc VM_EXIT = ClassDesc.of("pcm.core.api.vm.VmExit");
    static final ClassDesc BLOCK_CODE = ClassDesc.of(BlockCode.class.getName());

    static final ClassDesc J = ConstantDescs.CD_long, I = ConstantDescs.CD_int, Z = ConstantDescs.CD_boolean,
            V = ConstantDescs.CD_void;

    // fields
    static final String R = "r", RIP = "rip", ICOUNT = "icount", PENDING_EXIT = "pendingExit", CODE_WRITES = "codeWrites",
            REX = "rex";
    static final ClassDesc LONG_ARRAY = J.arrayType();

    // methods (the interpreter's own semantics)
    static final String ALU = "alu", INC_DEC = "incDec", LAZY = "lazy", COND = "cond", READ = "read", WRITE = "write",
            STEP = "jitStep", SHIFT = "shift", SHIFT_IMM64 = "shiftImm64", IMUL64 = "imul64";
    static final MethodTypeDesc SHIFT_IMM64_T = MethodTypeDesc.of(J, I, J, I);
    static final MethodTypeDesc IMUL64_T = MethodTypeDesc.of(J, J, J);
    static final MethodTypeDesc SHIFT_T = MethodTypeDesc.of(J, I, J, I, I, Z);
    static final MethodTypeDesc ALU_T = MethodTypeDesc.of(J, I, J, J, I);
    static final MethodTypeDesc INC_DEC_T = MethodTypeDesc.of(J, J, I, Z);
    static final MethodTypeDesc LAZY_T = MethodTypeDesc.of(V, I, J, J, J, I);
    static final MethodTypeDesc COND_T = MethodTypeDesc.of(Z, I);
    static final MethodTypeDesc READ_T = MethodTypeDesc.of(J, J, I);
    static final MethodTypeDesc WRITE_T = MethodTypeDesc.of(V, J, I, J);
    static final MethodTypeDesc STEP_T = MethodTypeDesc.of(Z);

    /** Lazy-flag operations ({@code CpuState.OP_*}): checked equal at start-up. */
    public static final int OP_LOGIC = 5;
}
