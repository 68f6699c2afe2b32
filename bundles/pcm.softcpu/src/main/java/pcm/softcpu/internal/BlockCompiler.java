package pcm.softcpu.internal;

import java.lang.constant.ClassDesc;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.ArrayList;
import java.util.List;

import pcm.softcpu.internal.jit.BlockCode;
import pcm.softcpu.internal.jit.BlockTranslator;
import pcm.softcpu.internal.jit.CompiledBlock;
import pcm.softcpu.internal.jit.CpuNames;
import pcm.softcpu.internal.jit.GuestInsn;
import pcm.softcpu.internal.jit.JitStats;
import pcm.softcpu.internal.jit.Kind;

/**
 * One vCPU's block compiler (docs/block-compiler.md): counts how often each block head (the instruction after a
 * control transfer, an exit or an instruction outside the pre-decoded path) runs, translates a head that reaches
 * the threshold into a hidden class ({@link BlockTranslator}) and keeps the translations on the heads' pre-decoded
 * instructions, so a translation is found by the same physical code page and offset the interpreter uses and is
 * dropped with them: a store into its bytes ({@link #invalidate}), a page whose RAM changed behind the CPU
 * ({@link #dropPage}), or a full cache ({@link #flush}). This glue lives here because it reads the interpreter's
 * package-private structures and gives the generated classes their package (the lookup below).
 * <p>
 * On or off: on by default; the system property {@code pcm.softcpu.jit} ({@code true}/{@code false}), when set,
 * decides for every new vCPU, else the backend's {@code block_compiler} configuration (see {@link #enabled});
 * {@link SoftVcpu#setBlockCompiler} between runs; {@code pcm.softcpu.jit.threshold} (default 1000 runs of a head) and
 * {@code pcm.softcpu.jit.cacheBlocks} (default 16384 blocks, then the whole cache is dropped).
 */
final class BlockCompiler {

    /**
     * The operator's word for the whole JVM: {@code -Dpcm.softcpu.jit=true|false}, or null when not set. Read once:
     * it decides for the backend's vCPUs over their configuration and for the replay engine's (which has none).
     */
    static final Boolean FORCED;
    /** Why the property is unusable (a value neither true nor false), else null: reported by {@link #enabled}. */
    private static final String BAD_SWITCH;

    static {
        Boolean f = null;
        String bad = null;
        try {
            f = parse(System.getProperty("pcm.softcpu.jit"));
        } catch (IllegalArgumentException e) {
            bad = e.getMessage(); // not thrown here: a class that fails to initialise would break every CPU, not one component
        }
        FORCED = f;
        BAD_SWITCH = bad;
    }

    /** On unless {@code -Dpcm.softcpu.jit=false} (the default since issue 18's ITs passed with it on). */
    static final boolean DEFAULT_ON = FORCED == null || FORCED;

    /**
     * The switch for a backend whose configuration says {@code configured}: the system property wins where set.
     * @throws IllegalArgumentException when the property is set to something other than true or false
     */
    static boolean enabled(boolean configured) {
        checkSwitch();
        return FORCED != null ? FORCED : configured;
    }

    /** @throws IllegalArgumentException naming the value when {@code -Dpcm.softcpu.jit} is neither true nor false */
    static void checkSwitch() {
        if (BAD_SWITCH != null) throw new IllegalArgumentException(BAD_SWITCH);
    }

    /**
     * "true"/"false" (any case, blanks trimmed) or null for unset; anything else is a typed error naming the value, so
     * a typo does not silently run the mode the operator meant to leave.
     */
    static Boolean parse(String v) {
        if (v == null) return null;
        String t = v.trim();
        if (t.equalsIgnoreCase("true")) return Boolean.TRUE;
        if (t.equalsIgnoreCase("false")) return Boolean.FALSE;
        throw new IllegalArgumentException("pcm.softcpu.jit: '" + v + "' is neither true nor false");
    }
    static final int DEFAULT_THRESHOLD = Integer.getInteger("pcm.softcpu.jit.threshold", 1000);
    static final int DEFAULT_CACHE_BLOCKS = Integer.getInteger("pcm.softcpu.jit.cacheBlocks", 16384);
    /** Diagnostics: {@code -Dpcm.softcpu.jit.stats=true} prints each vCPU's counters to stderr when it closes. */
    static final boolean PRINT_STATS = Boolean.getBoolean("pcm.softcpu.jit.stats");
    /** Longest block (instructions): keeps the generated method well under HotSpot's 8000-byte compile limit. */
    static final int MAX_INSNS = 40;

    private static final MethodHandles.Lookup LOOKUP = MethodHandles.lookup();
    private static final ClassDesc NAME = ClassDesc.of(CpuNames.PACKAGE + ".JitBlock");

    static {
        if (CpuNames.OP_LOGIC != CpuState.OP_LOGIC) {
            throw new IllegalStateException("jit.CpuNames lazy-flag operations differ from CpuState's");
        }
    }

    /** Translations by block bytes, shared by every vCPU of this JVM (the classes hold no vCPU state). */
    private static final java.util.concurrent.ConcurrentHashMap<BytesKey, BlockCode> SHARED =
            new java.util.concurrent.ConcurrentHashMap<>();
    static final int SHARED_MAX = Integer.getInteger("pcm.softcpu.jit.sharedBlocks", 16384);

    private record BytesKey(byte[] bytes) {
        @Override
        public boolean equals(Object o) { return o instanceof BytesKey k && java.util.Arrays.equals(bytes, k.bytes); }

        @Override
        public int hashCode() { return java.util.Arrays.hashCode(bytes); }
    }

    final JitStats stats = new JitStats();
    final int threshold;
    final int cacheBlocks;
    private int live;

    BlockCompiler() {
        this(DEFAULT_THRESHOLD, DEFAULT_CACHE_BLOCKS);
    }

    BlockCompiler(int threshold, int cacheBlocks) {
        this.threshold = Math.max(1, threshold);
        this.cacheBlocks = Math.max(1, cacheBlocks);
    }

    /** Translates the block starting at {@code off} of {@code page} (whose pre-decoded head is {@code head}). */
    void compile(CpuMemory cpu, CpuMemory.CodePage page, int off, DecodedInsn head) {
        long t0 = System.nanoTime();
        List<GuestInsn> insns = new ArrayList<>();
        int at = off, inline = 0;
        while (insns.size() < MAX_INSNS && at < 4096) {
            DecodedInsn d = page.ops[at];
            if (d == null) page.ops[at] = d = DecodedInsn.decode(page.bytes, at);
            if (d.op == DecodedInsn.SLOW) break;
            GuestInsn g = guest(d, at);
            insns.add(g);
            if (g.kind() != Kind.OTHER && g.kind() != Kind.OTHER_BRANCH) inline++;
            at += d.len;
            if (g.kind().endsBlock()) break;
        }
        if (insns.size() < 2 || inline == 0) {
            head.jitHits = Integer.MIN_VALUE; // not worth a class; never counted again
            stats.rejected++;
            return;
        }
        if (live >= cacheBlocks) flush(cpu);
        // the generated code is a function of the block's bytes alone (64-bit decoding; every address relative to
        // the entry RIP): blocks with equal bytes share one class, across pages, vCPUs and runs in this JVM
        BytesKey key = new BytesKey(java.util.Arrays.copyOfRange(page.bytes, off, at));
        BlockCode code = SHARED.get(key);
        if (code != null) {
            stats.shared++;
        } else {
            try {
                byte[] bytes = BlockTranslator.translate(NAME, insns, at, BlockCompiler.class.getClassLoader());
                if (DUMP != null) dump(bytes, insns);
                MethodHandles.Lookup hidden = LOOKUP.defineHiddenClass(bytes, true);
                code = (BlockCode) hidden.findConstructor(hidden.lookupClass(), MethodType.methodType(void.class)).invoke();
            } catch (Throwable e) {
                throw new IllegalStateException("block compiler: translating " + insns.size() + " instructions at page offset 0x"
                        + Integer.toHexString(off) + " failed: " + insns, e);
            }
            if (SHARED.size() >= SHARED_MAX) SHARED.clear(); // bounded: the classes of dropped entries can be unloaded
            SHARED.put(key, code);
        }
        head.jit = new CompiledBlock(code, insns.size(), off, at);
        if (page.jitHeads == null) page.jitHeads = new ArrayList<>();
        page.jitHeads.add(head);
        live++;
        stats.compiled++;
        stats.compileNanos += System.nanoTime() - t0;
    }

    /** A store changed bytes [at, at+size) of a cached code page: drop the translations that cover them. */
    void invalidate(CpuMemory.CodePage page, int at, int size) {
        ArrayList<DecodedInsn> heads = page.jitHeads;
        if (heads == null) return;
        for (int i = heads.size() - 1; i >= 0; i--) {
            DecodedInsn h = heads.get(i);
            CompiledBlock b = h.jit;
            if (b == null || b.overlaps(at, size)) {
                h.jit = null;
                h.jitHits = 0;
                heads.remove(i);
                live--;
                stats.invalidated++;
            }
        }
    }

    /** The page's bytes changed behind the CPU (all its pre-decoded instructions were dropped). */
    void dropPage(CpuMemory.CodePage page) {
        invalidate(page, 0, 4096);
    }

    /** The cache is full: drops every translation (QEMU's policy: the next hot heads are translated again). */
    void flush(CpuMemory cpu) {
        for (CpuMemory.CodePage p : cpu.codePages.values()) {
            if (p.jitHeads == null) continue;
            for (DecodedInsn h : p.jitHeads) {
                h.jit = null;
                h.jitHits = 0;
                stats.evicted++;
            }
            p.jitHeads = null;
        }
        live = 0;
        stats.flushes++;
    }

    int live() { return live; }

    /** Debugging: a directory to write every generated class (and its guest instructions) into. */
    private static final String DUMP = System.getProperty("pcm.softcpu.jit.dump");

    private void dump(byte[] bytes, List<GuestInsn> insns) {
        try {
            java.nio.file.Path dir = java.nio.file.Path.of(DUMP);
            java.nio.file.Files.createDirectories(dir);
            String n = "block" + stats.compiled;
            java.nio.file.Files.write(dir.resolve(n + ".class"), bytes);
            StringBuilder b = new StringBuilder();
            for (GuestInsn g : insns) b.append(g).append('\n');
            java.nio.file.Files.writeString(dir.resolve(n + ".txt"), b);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    // =====================================================================================
    // DecodedInsn -> GuestInsn: each op named by the case of PredecodedPath.runDecoded it mirrors

    static GuestInsn guest(DecodedInsn d, int off) {
        int op = d.op, sz = d.size, sub = d.sub;
        Kind k;
        boolean rexWrite = false;
        if (op >= DecodedInsn.A_RR64 && op < DecodedInsn.A_RR64 + 8) { k = Kind.ALU_RR; sz = 8; sub = op - DecodedInsn.A_RR64; }
        else if (op >= DecodedInsn.A_RI64 && op < DecodedInsn.A_RI64 + 8) { k = Kind.ALU_RI; sz = 8; sub = op - DecodedInsn.A_RI64; }
        else if (op >= DecodedInsn.A_RM64 && op < DecodedInsn.A_RM64 + 8) { k = Kind.ALU_RM; sz = 8; sub = op - DecodedInsn.A_RM64; }
        else if (op >= DecodedInsn.A_RR32 && op < DecodedInsn.A_RR32 + 8) { k = Kind.ALU_RR; sz = 4; sub = op - DecodedInsn.A_RR32; }
        else if (op >= DecodedInsn.A_RI32 && op < DecodedInsn.A_RI32 + 8) { k = Kind.ALU_RI; sz = 4; sub = op - DecodedInsn.A_RI32; }
        else {
            switch (op) {
                case DecodedInsn.NOP -> k = Kind.NOP;
                case DecodedInsn.MOV_RR64 -> { k = Kind.MOV_RR; sz = 8; }
                case DecodedInsn.MOV_RR32 -> { k = Kind.MOV_RR; sz = 4; }
                case DecodedInsn.MOV_RR8 -> { k = Kind.MOV_RR; sz = 1; rexWrite = true; }
                case DecodedInsn.MOV_LD64 -> { k = Kind.MOV_LD; sz = 8; }
                case DecodedInsn.MOV_LD -> { k = Kind.MOV_LD; rexWrite = true; }
                case DecodedInsn.MOV_ST64 -> { k = Kind.MOV_ST; sz = 8; }
                case DecodedInsn.MOV_ST -> { k = Kind.MOV_ST; rexWrite = true; }
                case DecodedInsn.MOV_RI -> { k = Kind.MOV_RI; sz = 8; } // r[dst] = imm, whatever the size
                case DecodedInsn.MOV_RI8 -> { k = Kind.MOV_RI; sz = 1; rexWrite = true; }
                case DecodedInsn.MOV_MI -> k = Kind.MOV_MI;
                case DecodedInsn.ALU_RR64 -> { k = Kind.ALU_RR; sz = 8; }
                case DecodedInsn.ALU_RI64 -> { k = Kind.ALU_RI; sz = 8; }
                case DecodedInsn.ALU_RM64 -> { k = Kind.ALU_RM; sz = 8; }
                case DecodedInsn.ALU_RR, DecodedInsn.ALU_RI -> k = op == DecodedInsn.ALU_RR ? Kind.ALU_RR : Kind.ALU_RI;
                case DecodedInsn.ALU_RR8 -> { k = Kind.ALU_RR; sz = 1; rexWrite = true; }
                case DecodedInsn.ALU_RI8 -> { k = Kind.ALU_RI; sz = 1; rexWrite = true; }
                case DecodedInsn.ALU_RM -> { k = Kind.ALU_RM; rexWrite = true; }
                case DecodedInsn.ALU_MR -> { k = Kind.ALU_MR; rexWrite = true; }
                case DecodedInsn.ALU_MI -> k = Kind.ALU_MI;
                case DecodedInsn.TEST_RR -> { k = Kind.TEST_RR; rexWrite = true; }
                case DecodedInsn.TEST_RI -> { k = Kind.TEST_RI; rexWrite = true; }
                case DecodedInsn.TEST_MR -> { k = Kind.TEST_MR; rexWrite = true; }
                case DecodedInsn.TEST_MI -> k = Kind.TEST_MI;
                case DecodedInsn.SHIFT_RI64 -> k = Kind.SHIFT_RI64;
                case DecodedInsn.IMUL_RR64 -> k = Kind.IMUL_RR64;
                case DecodedInsn.SHIFT_R -> { k = Kind.SHIFT_R; rexWrite = true; }
                case DecodedInsn.LEA -> k = Kind.LEA;
                case DecodedInsn.PUSH_R -> k = Kind.PUSH_R;
                case DecodedInsn.POP_R -> k = Kind.POP_R;
                case DecodedInsn.PUSH_I -> k = Kind.PUSH_I;
                case DecodedInsn.MOVX_R -> { k = Kind.MOVX_R; rexWrite = true; }
                case DecodedInsn.MOVX_M -> k = Kind.MOVX_M;
                case DecodedInsn.MOVSXD_R -> k = Kind.MOVSXD_R;
                case DecodedInsn.MOVSXD_M -> k = Kind.MOVSXD_M;
                case DecodedInsn.CDQE -> k = Kind.CDQE;
                case DecodedInsn.CQO -> k = Kind.CQO;
                case DecodedInsn.INCDEC_R -> { k = Kind.INCDEC_R; rexWrite = true; }
                case DecodedInsn.INCDEC_M -> k = Kind.INCDEC_M;
                case DecodedInsn.CMOV_R -> k = Kind.CMOV_R;
                case DecodedInsn.CMOV_M -> k = Kind.CMOV_M;
                case DecodedInsn.SETCC_R -> { k = Kind.SETCC_R; rexWrite = true; }
                case DecodedInsn.SETCC_M -> k = Kind.SETCC_M;
                case DecodedInsn.JCC -> k = Kind.JCC;
                case DecodedInsn.JMP -> k = Kind.JMP;
                case DecodedInsn.CALL -> k = Kind.CALL;
                case DecodedInsn.RET -> k = Kind.RET;
                case DecodedInsn.JMP_R -> k = Kind.JMP_R;
                case DecodedInsn.CALL_R -> k = Kind.CALL_R;
                case DecodedInsn.CALL_M, DecodedInsn.JMP_M -> k = Kind.OTHER_BRANCH;
                default -> k = Kind.OTHER; // IMUL of other forms, shifts of memory, PUSH m, LEAVE
            }
        }
        return new GuestInsn(k, off, d.len, sz, d.rex, rexWrite, d.dst, d.src, sub, d.base, d.index, d.scale, d.disp, d.imm,
                d.cl);
    }
}
