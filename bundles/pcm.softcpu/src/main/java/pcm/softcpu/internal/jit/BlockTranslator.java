package pcm.softcpu.internal.jit;

import static pcm.softcpu.internal.jit.CpuNames.*;

import java.lang.classfile.ClassFile;
import java.lang.classfile.ClassHierarchyResolver;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.classfile.TypeKind;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.util.ArrayList;
import java.util.List;

/**
 * Translates one guest block (a straight run of pre-decoded instructions of one code page, ending at a control
 * transfer or before an instruction the pre-decoded path does not cover) into the bytes of a class implementing
 * {@link BlockCode}, with the JDK's {@code java.lang.classfile} API.
 * <p>
 * Invariants the generated {@code run} keeps (docs/block-compiler.md):
 * <ul>
 * <li>The guest registers the block touches live in JVM locals, loaded at entry and stored back at every exit.
 * The arithmetic flags stay in the CPU's lazy-flag fields, written by the interpreter's own helpers
 * ({@code alu}, {@code incDec}, {@code lazy}) and read by {@code cond}, so flag semantics exist once.</li>
 * <li>Every instruction has its own exception range: a fault or exit signal thrown by instruction k (a memory
 * access) stores the registers back, sets RIP to instruction k and the count to entry + k (the state the
 * interpreter leaves), then rethrows. Instructions translated as interpreter steps ({@link Kind#OTHER}) run
 * with the state already stored back, so their exceptions pass untouched.</li>
 * <li>After a store, the block stops (instructions so far retired) when the store left an exit (MMIO write) or
 * changed cached code (self-modifying code: {@code codeWrites} moved).</li>
 * </ul>
 */
public final class BlockTranslator {

    private static final int RSP = 4, RAX = 0, RDX = 2;
    private static final long M32 = 0xFFFFFFFFL;

    private final List<GuestInsn> block;
    private final int endOffset;
    /** Page offset of the first instruction: RIP at entry (rip0) is its address, offsets are relative to it. */
    private final int first;
    private final boolean[] used = new boolean[16], written = new boolean[16];
    private final int[] slot = new int[16];
    private CodeBuilder cb;
    private int cpu, rip0, ic0, cw0, tmp, tmp2, tmp3, icStart, itmp;
    /** The budget argument: instructions this run may still retire. */
    private static final int BUDGET = 2;
    private Label exit, top;
    private final List<Runnable> deferred = new ArrayList<>();

    private BlockTranslator(List<GuestInsn> block, int endOffset) {
        this.block = block;
        this.endOffset = endOffset;
        this.first = block.get(0).offset();
    }

    /**
     * The class bytes for {@code block} under {@code name} (in {@link CpuNames#PACKAGE}); {@code endOffset} is the
     * page offset after the last instruction (RIP when the block ends without a control transfer).
     */
    public static byte[] translate(ClassDesc name, List<GuestInsn> block, int endOffset, ClassLoader loader) {
        BlockTranslator t = new BlockTranslator(block, endOffset);
        for (GuestInsn g : block) t.analyse(g);
        ClassFile cf = ClassFile.of(ClassFile.ClassHierarchyResolverOption.of(
                ClassHierarchyResolver.defaultResolver().orElse(ClassHierarchyResolver.ofClassLoading(loader))));
        return cf.build(name, clb -> {
            clb.withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL | ClassFile.ACC_SUPER);
            clb.withInterfaceSymbols(BLOCK_CODE);
            clb.withMethodBody(ConstantDescs.INIT_NAME, ConstantDescs.MTD_void, ClassFile.ACC_PUBLIC,
                    c -> c.aload(0).invokespecial(ConstantDescs.CD_Object, ConstantDescs.INIT_NAME, ConstantDescs.MTD_void)
                            .return_());
            clb.withMethodBody("run", MethodTypeDesc.of(ConstantDescs.CD_int, ConstantDescs.CD_Object, ConstantDescs.CD_int),
                    ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL, t::body);
        });
    }

    // =====================================================================================
    // register use (which registers get a local; which are stored back)

    private static int phys(int i, int size, int rex) {
        return size == 1 && rex == 0 && i >= 4 && i < 8 ? i - 4 : i;
    }

    private void rd(int i) { used[i] = true; }

    private void wr(int i) { used[i] = true; written[i] = true; }

    private void analyse(GuestInsn g) {
        if (g.memory() || g.kind() == Kind.LEA) { // operand address registers
            if (g.base() >= 0) rd(g.base());
            if (g.index() >= 0) rd(g.index());
        }
        int sz = g.size(), rex = g.rex();
        switch (g.kind()) {
            case MOV_RR -> { rd(phys(g.src(), sz, rex)); wr(phys(g.dst(), sz, rex)); }
            case MOV_LD, MOV_RI, LEA, MOVX_M, MOVSXD_M -> wr(phys(g.dst(), sz, rex));
            case MOV_ST, ALU_MR, TEST_MR -> rd(phys(g.src(), sz, rex));
            case ALU_RR -> { rd(phys(g.src(), sz, rex)); wr(phys(g.dst(), sz, rex)); }
            case ALU_RI, ALU_RM, SHIFT_RI64, INCDEC_R -> wr(phys(g.dst(), sz, rex));
            case IMUL_RR64 -> { rd(g.src()); wr(g.dst()); }
            case CMOV_R -> { rd(g.src()); wr(g.dst()); }
            case CMOV_M -> wr(g.dst());
            case SETCC_R -> wr(phys(g.dst(), 1, rex));
            case SHIFT_R -> {
                if (g.cl()) rd(1);
                wr(phys(g.dst(), sz, rex));
            }
            case TEST_RR -> { rd(phys(g.src(), sz, rex)); rd(phys(g.dst(), sz, rex)); }
            case TEST_RI -> rd(phys(g.dst(), sz, rex));
            case PUSH_R -> { rd(g.src()); wr(RSP); }
            case POP_R -> { wr(RSP); wr(g.dst()); }
            case PUSH_I, CALL, RET -> wr(RSP);
            case MOVX_R -> { rd(phys(g.src(), (g.sub() & 1) == 0 ? 1 : 2, rex)); wr(g.dst()); }
            case MOVSXD_R -> { rd(g.src()); wr(g.dst()); }
            case CDQE -> wr(RAX);
            case CQO -> { rd(RAX); wr(RDX); }
            case JMP_R -> rd(g.src());
            case CALL_R -> { rd(g.src()); wr(RSP); }
            default -> { }
        }
    }

    // =====================================================================================
    // the method body

    private void body(CodeBuilder c) {
        cb = c;
        cpu = c.allocateLocal(TypeKind.REFERENCE);
        rip0 = c.allocateLocal(TypeKind.LONG);
        ic0 = c.allocateLocal(TypeKind.LONG);
        cw0 = c.allocateLocal(TypeKind.INT);
        tmp = c.allocateLocal(TypeKind.LONG);
        tmp2 = c.allocateLocal(TypeKind.LONG);
        tmp3 = c.allocateLocal(TypeKind.LONG);
        itmp = c.allocateLocal(TypeKind.INT);
        for (int i = 0; i < 16; i++) slot[i] = used[i] ? c.allocateLocal(TypeKind.LONG) : -1;
        c.aload(1).checkcast(CPU).astore(cpu);
        c.aload(cpu).getfield(CPU, RIP, J).lstore(rip0);
        c.aload(cpu).getfield(CPU, ICOUNT, J).lstore(ic0);
        c.aload(cpu).getfield(CPU, CODE_WRITES, I).istore(cw0);
        icStart = c.allocateLocal(TypeKind.LONG);
        c.lload(ic0).lstore(icStart);
        loadRegs();
        exit = c.newLabel();
        top = c.newLabel();
        c.labelBinding(top);
        boolean terminated = false;
        for (int k = 0; k < block.size(); k++) {
            GuestInsn g = block.get(k);
            if (g.kind().interpreted()) {
                interpreted(k, g);
            } else {
                Label start = c.newLabel(), end = c.newLabel();
                c.labelBinding(start);
                inline(k, g);
                c.labelBinding(end);
                if (g.kind() != Kind.NOP) {
                    Label h = c.newLabel();
                    c.exceptionCatchAll(start, end, h);
                    final int kk = k;
                    deferred.add(() -> {
                        cb.labelBinding(h); // stack: the throwable
                        storeRegs();
                        setRip(g.offset());
                        cb.aload(cpu).lload(ic0).loadConstant((long) kk).ladd().putfield(CPU, ICOUNT, J);
                        cb.athrow();
                    });
                }
            }
            if (g.kind().endsBlock()) {
                terminated = true;
                break;
            }
        }
        if (!terminated) exitAt(endOffset, block.size()); // ran into an instruction the block does not cover
        // EXIT: stack [long rip, int n]
        c.labelBinding(exit);
        int n = c.allocateLocal(TypeKind.INT);
        c.istore(n).lstore(tmp);
        storeRegs();
        c.aload(cpu).lload(tmp).putfield(CPU, RIP, J);
        c.aload(cpu).lload(ic0).iload(n).i2l().ladd().putfield(CPU, ICOUNT, J);
        returnRetired();
        for (Runnable r : deferred) r.run();
    }

    /** Returns the instructions retired since entry (the CPU's count is exact at this point). */
    private void returnRetired() {
        cb.aload(cpu).getfield(CPU, ICOUNT, J).lload(icStart).lsub().l2i().ireturn();
    }

    /**
     * The last instruction jumps back to the first: another pass when the budget holds one and the pass left no
     * exit and changed no code (the count advances by a pass; registers stay in locals); else leave with RIP at
     * the block's start.
     */
    private void loopBack() {
        int n = block.size();
        Label leave = cb.newLabel();
        cb.iload(BUDGET).loadConstant(n).isub().istore(BUDGET);
        cb.iload(BUDGET).loadConstant(n).if_icmplt(leave);
        cb.aload(cpu).getfield(CPU, PENDING_EXIT, VM_EXIT).ifnonnull(leave);
        cb.aload(cpu).getfield(CPU, CODE_WRITES, I).iload(cw0).if_icmpne(leave);
        cb.lload(ic0).loadConstant((long) n).ladd().lstore(ic0);
        cb.goto_(top);
        cb.labelBinding(leave);
        cb.lload(rip0).loadConstant(n).goto_(exit);
    }

    private void loadRegs() {
        for (int i = 0; i < 16; i++) {
            if (slot[i] >= 0) cb.aload(cpu).getfield(CPU, R, LONG_ARRAY).loadConstant(i).laload().lstore(slot[i]);
        }
    }

    private void storeRegs() {
        for (int i = 0; i < 16; i++) {
            if (written[i]) cb.aload(cpu).getfield(CPU, R, LONG_ARRAY).loadConstant(i).lload(slot[i]).lastore();
        }
    }

    /** c.rip = rip0 + offset (the instruction's RIP, as the interpreter has it while the instruction runs). */
    private void setRip(int offset) {
        cb.aload(cpu).lload(rip0).loadConstant((long) (offset - first)).ladd().putfield(CPU, RIP, J);
    }

    /** Leaves through EXIT with RIP = rip0 + offset and n instructions retired. */
    private void exitAt(int offset, int n) {
        cb.lload(rip0).loadConstant((long) (offset - first)).ladd().loadConstant(n).goto_(exit);
    }

    /** After a store by instruction k (not the last): stop when it left an exit or changed cached code. */
    private void afterStore(int k, GuestInsn g) {
        if (k == block.size() - 1) return;
        Label stop = cb.newLabel();
        cb.aload(cpu).getfield(CPU, PENDING_EXIT, VM_EXIT).ifnonnull(stop);
        cb.aload(cpu).getfield(CPU, CODE_WRITES, I).iload(cw0).if_icmpne(stop);
        int next = g.offset() + g.len();
        deferred.add(() -> {
            cb.labelBinding(stop);
            exitAt(next, k + 1);
        });
    }

    /** An instruction the interpreter runs: state stored back, one pre-decoded step, registers reloaded. */
    private void interpreted(int k, GuestInsn g) {
        storeRegs();
        setRip(g.offset());
        cb.aload(cpu).lload(ic0).loadConstant((long) k).ladd().putfield(CPU, ICOUNT, J);
        Label ran = cb.newLabel();
        cb.aload(cpu).invokevirtual(CPU, STEP, STEP_T).ifne(ran);
        returnRetired(); // not run (cannot happen while the block is valid): the state is the CPU's
        cb.labelBinding(ran);
        if (g.kind() == Kind.OTHER_BRANCH) {
            returnRetired();
            return;
        }
        loadRegs();
        if (k == block.size() - 1) return;
        Label stop = cb.newLabel(), go = cb.newLabel();
        cb.aload(cpu).getfield(CPU, PENDING_EXIT, VM_EXIT).ifnonnull(stop);
        cb.aload(cpu).getfield(CPU, CODE_WRITES, I).iload(cw0).if_icmpeq(go);
        cb.labelBinding(stop);
        returnRetired();
        cb.labelBinding(go);
    }

    // =====================================================================================
    // registers in locals: CpuDecode.getReg / setReg on the locals

    private void getReg(int i, int size, int rex) {
        switch (size) {
            case 8 -> cb.lload(slot[i]);
            case 4 -> cb.lload(slot[i]).loadConstant(M32).land();
            case 2 -> cb.lload(slot[i]).loadConstant(0xFFFFL).land();
            default -> {
                if (rex == 0 && i >= 4 && i < 8) cb.lload(slot[i - 4]).loadConstant(8).lushr().loadConstant(0xFFL).land();
                else cb.lload(slot[i]).loadConstant(0xFFL).land();
            }
        }
    }

    /** Consumes the long on the stack. */
    private void setReg(int i, int size, int rex) {
        switch (size) {
            case 8 -> cb.lstore(slot[i]);
            case 4 -> cb.loadConstant(M32).land().lstore(slot[i]);
            case 2 -> cb.loadConstant(0xFFFFL).land().lload(slot[i]).loadConstant(~0xFFFFL).land().lor().lstore(slot[i]);
            default -> {
                if (rex == 0 && i >= 4 && i < 8) {
                    cb.loadConstant(0xFFL).land().loadConstant(8).lshl()
                            .lload(slot[i - 4]).loadConstant(~0xFF00L).land().lor().lstore(slot[i - 4]);
                } else {
                    cb.loadConstant(0xFFL).land().lload(slot[i]).loadConstant(~0xFFL).land().lor().lstore(slot[i]);
                }
            }
        }
    }

    /** Pushes the effective address (PredecodedPath.ea: disp + base + index << scale; RIP = the instruction's). */
    private void ea(GuestInsn g) {
        if (g.base() == GuestInsn.RIP_BASE) cb.lload(rip0).loadConstant(g.offset() - first + g.disp()).ladd();
        else cb.loadConstant(g.disp());
        if (g.base() >= 0) cb.lload(slot[g.base()]).ladd();
        if (g.index() >= 0) {
            cb.lload(slot[g.index()]);
            if (g.scale() != 0) cb.loadConstant(g.scale()).lshl();
            cb.ladd();
        }
    }

    private void setRex(GuestInsn g) {
        if (g.rexWrite()) cb.aload(cpu).loadConstant(g.rex()).putfield(CPU, REX, I);
    }

    private void read(int size) { cb.loadConstant(size).invokevirtual(CPU, READ, READ_T); } // stack: cpu, addr

    /** push(v, 8) of CpuDecode: sp = rsp - 8; write(sp, 8, v); rsp = sp. The value is in {@code tmp2}. */
    private void push() {
        cb.lload(slot[RSP]).loadConstant(8L).lsub().lstore(tmp);
        cb.aload(cpu).lload(tmp).loadConstant(8).lload(tmp2).invokevirtual(CPU, WRITE, WRITE_T);
        cb.lload(tmp).lstore(slot[RSP]);
    }

    // =====================================================================================
    // inline instructions: each mirrors its case in PredecodedPath.runDecoded

    private void inline(int k, GuestInsn g) {
        int sz = g.size(), rex = g.rex(), dst = g.dst(), src = g.src(), op = g.sub();
        long next = g.offset() + g.len() - first; // relative to rip0
        boolean mem = g.memory() || switch (g.kind()) {
            case PUSH_R, POP_R, PUSH_I, CALL, RET, CALL_R -> true;
            default -> false;
        };
        if (mem) setRip(g.offset());
        setRex(g);
        switch (g.kind()) {
            case NOP -> { }
            case MOV_RR -> { getReg(src, sz, rex); setReg(dst, sz, rex); }
            case MOV_LD -> { cb.aload(cpu); ea(g); read(sz); setReg(dst, sz, rex); }
            case MOV_ST -> {
                cb.aload(cpu); ea(g); cb.loadConstant(sz); getReg(src, sz, rex);
                cb.invokevirtual(CPU, WRITE, WRITE_T);
                afterStore(k, g);
            }
            case MOV_RI -> { cb.loadConstant(g.imm()); setReg(dst, sz, rex); }
            case MOV_MI -> {
                cb.aload(cpu); ea(g); cb.loadConstant(sz).loadConstant(g.imm()).invokevirtual(CPU, WRITE, WRITE_T);
                afterStore(k, g);
            }
            case ALU_RR, ALU_RI, ALU_RM -> {
                if (g.kind() == Kind.ALU_RM) { cb.aload(cpu); ea(g); read(sz); cb.lstore(tmp); }
                cb.aload(cpu).loadConstant(op);
                getReg(dst, sz, rex);
                switch (g.kind()) {
                    case ALU_RR -> getReg(src, sz, rex);
                    case ALU_RI -> cb.loadConstant(g.imm());
                    default -> cb.lload(tmp);
                }
                cb.loadConstant(sz).invokevirtual(CPU, ALU, ALU_T);
                if (op != 7) setReg(dst, sz, rex);
                else cb.pop2();
            }
            case ALU_MR, ALU_MI -> {
                ea(g); cb.lstore(tmp2); // the address
                cb.aload(cpu).lload(tmp2); read(sz); cb.lstore(tmp);
                cb.aload(cpu).loadConstant(op).lload(tmp);
                if (g.kind() == Kind.ALU_MR) getReg(src, sz, rex);
                else cb.loadConstant(g.imm());
                cb.loadConstant(sz).invokevirtual(CPU, ALU, ALU_T);
                if (op != 7) {
                    cb.lstore(tmp);
                    cb.aload(cpu).lload(tmp2).loadConstant(sz).lload(tmp).invokevirtual(CPU, WRITE, WRITE_T);
                    afterStore(k, g);
                } else {
                    cb.pop2();
                }
            }
            case TEST_RR, TEST_RI, TEST_MR, TEST_MI -> {
                long m = sz == 8 ? -1L : (1L << (8 * sz)) - 1;
                switch (g.kind()) { // v
                    case TEST_RR, TEST_RI -> getReg(dst, sz, rex);
                    default -> { cb.aload(cpu); ea(g); read(sz); }
                }
                cb.loadConstant(m).land().lstore(tmp);
                switch (g.kind()) { // s
                    case TEST_RR, TEST_MR -> getReg(src, sz, rex);
                    default -> cb.loadConstant(g.imm());
                }
                cb.loadConstant(m).land().lstore(tmp2);
                cb.aload(cpu).loadConstant(OP_LOGIC).lload(tmp).lload(tmp2).lload(tmp).lload(tmp2).land()
                        .loadConstant(sz).invokevirtual(CPU, LAZY, LAZY_T);
            }
            case SHIFT_RI64 -> { // the interpreter's shiftImm64 (a non-zero masked count; records undefined flags: exact count)
                cb.aload(cpu).lload(ic0).loadConstant((long) k).ladd().putfield(CPU, ICOUNT, J);
                cb.aload(cpu).loadConstant(op).lload(slot[dst]).loadConstant((int) g.imm() & 0x3F)
                        .invokevirtual(CPU, SHIFT_IMM64, SHIFT_IMM64_T);
                cb.lstore(slot[dst]);
            }
            case IMUL_RR64 -> { // imul64 records its undefined flags at the instruction's position: exact count
                cb.aload(cpu).lload(ic0).loadConstant((long) k).ladd().putfield(CPU, ICOUNT, J);
                cb.aload(cpu).lload(slot[dst]).lload(slot[src]).invokevirtual(CPU, IMUL64, IMUL64_T);
                cb.lstore(slot[dst]);
            }
            case SHIFT_R -> { // shift() may record undefined flags at the instruction's position: exact count
                cb.aload(cpu).lload(ic0).loadConstant((long) k).ladd().putfield(CPU, ICOUNT, J);
                getReg(dst, sz, rex);
                cb.lstore(tmp);
                if (g.cl()) cb.lload(slot[1]).l2i().loadConstant(0xFF).iand();
                else cb.loadConstant((int) g.imm());
                cb.istore(itmp);
                Label zero = cb.newLabel(), done = cb.newLabel();
                cb.iload(itmp).loadConstant(sz == 8 ? 0x3F : 0x1F).iand().ifeq(zero);
                cb.aload(cpu).loadConstant(op).lload(tmp).iload(itmp).loadConstant(sz).loadConstant(g.cl() ? 0 : 1)
                        .invokevirtual(CPU, SHIFT, SHIFT_T);
                setReg(dst, sz, rex);
                cb.goto_(done);
                cb.labelBinding(zero);
                if (sz == 4) cb.lload(slot[dst]).loadConstant(M32).land().lstore(slot[dst]);
                cb.labelBinding(done);
            }
            case LEA -> { ea(g); setReg(dst, sz, rex); }
            case PUSH_R -> { cb.lload(slot[src]).lstore(tmp2); push(); afterStore(k, g); }
            case PUSH_I -> { cb.loadConstant(g.imm()).lstore(tmp2); push(); afterStore(k, g); }
            case POP_R -> {
                cb.aload(cpu).lload(slot[RSP]); read(8); cb.lstore(tmp);
                cb.lload(slot[RSP]).loadConstant(8L).ladd().lstore(slot[RSP]);
                cb.lload(tmp).lstore(slot[dst]);
            }
            case MOVX_R, MOVX_M -> {
                int from = (op & 1) == 0 ? 1 : 2;
                if (g.kind() == Kind.MOVX_R) getReg(src, from, rex);
                else { cb.aload(cpu); ea(g); read(from); }
                if (op == 2) cb.l2i().i2b().i2l();
                else if (op == 3) cb.l2i().i2s().i2l();
                setReg(dst, sz, rex);
            }
            case MOVSXD_R, MOVSXD_M -> {
                if (g.kind() == Kind.MOVSXD_R) getReg(src, 4, rex);
                else { cb.aload(cpu); ea(g); read(4); }
                if (sz == 8) cb.l2i().i2l().lstore(slot[dst]);
                else setReg(dst, sz, rex);
            }
            case CDQE -> {
                if (sz == 8) cb.lload(slot[RAX]).l2i().i2l().lstore(slot[RAX]);
                else cb.lload(slot[RAX]).l2i().i2s().i2l().loadConstant(M32).land().lstore(slot[RAX]);
            }
            case CQO -> {
                if (sz == 8) cb.lload(slot[RAX]).loadConstant(63).lshr().lstore(slot[RDX]);
                else cb.lload(slot[RAX]).l2i().loadConstant(31).ishr().i2l().loadConstant(M32).land().lstore(slot[RDX]);
            }
            case INCDEC_R -> {
                cb.aload(cpu);
                getReg(dst, sz, rex);
                cb.loadConstant(sz).loadConstant(op == 1 ? 1 : 0).invokevirtual(CPU, INC_DEC, INC_DEC_T);
                setReg(dst, sz, rex);
            }
            case INCDEC_M -> {
                ea(g); cb.lstore(tmp2);
                cb.aload(cpu).lload(tmp2).loadConstant(sz); // write(a, sz, incDec(read(a, sz), sz, dec))
                cb.aload(cpu);
                cb.aload(cpu).lload(tmp2); read(sz);
                cb.loadConstant(sz).loadConstant(op == 1 ? 1 : 0).invokevirtual(CPU, INC_DEC, INC_DEC_T);
                cb.invokevirtual(CPU, WRITE, WRITE_T);
                afterStore(k, g);
            }
            case CMOV_R, CMOV_M -> { // cmov(): the source is read (a memory source even when the condition fails)
                if (g.kind() == Kind.CMOV_R) getReg(src, sz, rex);
                else { cb.aload(cpu); ea(g); read(sz); }
                cb.lstore(tmp);
                Label no = cb.newLabel(), done = cb.newLabel();
                cb.aload(cpu).loadConstant(op).invokevirtual(CPU, COND, COND_T).ifeq(no);
                cb.lload(tmp);
                setReg(dst, sz, rex);
                cb.goto_(done);
                cb.labelBinding(no);
                if (sz == 4) cb.lload(slot[dst]).loadConstant(M32).land().lstore(slot[dst]);
                cb.labelBinding(done);
            }
            case SETCC_R, SETCC_M -> {
                Label no = cb.newLabel(), done = cb.newLabel();
                if (g.kind() == Kind.SETCC_M) { ea(g); cb.lstore(tmp2); } // the address first, as runDecoded
                cb.aload(cpu).loadConstant(op).invokevirtual(CPU, COND, COND_T).ifeq(no);
                cb.loadConstant(1L).goto_(done);
                cb.labelBinding(no);
                cb.loadConstant(0L);
                cb.labelBinding(done);
                if (g.kind() == Kind.SETCC_R) {
                    setReg(dst, 1, rex);
                } else {
                    cb.lstore(tmp);
                    cb.aload(cpu).lload(tmp2).loadConstant(1).lload(tmp).invokevirtual(CPU, WRITE, WRITE_T);
                    afterStore(k, g);
                }
            }
            case JCC -> {
                Label notTaken = cb.newLabel();
                cb.aload(cpu).loadConstant(op).invokevirtual(CPU, COND, COND_T).ifeq(notTaken);
                if (next + g.imm() == 0 && k == block.size() - 1) loopBack();
                else cb.lload(rip0).loadConstant(next + g.imm()).ladd().loadConstant(k + 1).goto_(exit);
                cb.labelBinding(notTaken);
                exitAt(g.offset() + g.len(), k + 1);
            }
            case JMP -> {
                if (next + g.imm() == 0 && k == block.size() - 1) loopBack();
                else cb.lload(rip0).loadConstant(next + g.imm()).ladd().loadConstant(k + 1).goto_(exit);
            }
            case CALL -> {
                cb.lload(rip0).loadConstant(next).ladd().lstore(tmp2);
                push();
                cb.lload(rip0).loadConstant(next + g.imm()).ladd().loadConstant(k + 1).goto_(exit);
            }
            case RET -> {
                cb.aload(cpu).lload(slot[RSP]); read(8); cb.lstore(tmp2);
                cb.lload(slot[RSP]).loadConstant(8L).ladd().lstore(slot[RSP]);
                cb.lload(tmp2).loadConstant(k + 1).goto_(exit);
            }
            case JMP_R -> cb.lload(slot[src]).loadConstant(k + 1).goto_(exit);
            case CALL_R -> {
                cb.lload(slot[src]).lstore(tmp3); // the target, read before the push (CALL RSP)
                cb.lload(rip0).loadConstant(next).ladd().lstore(tmp2);
                push();
                cb.lload(tmp3).loadConstant(k + 1).goto_(exit);
            }
            default -> throw new IllegalArgumentException("not inline: " + g.kind());
        }
    }
}
