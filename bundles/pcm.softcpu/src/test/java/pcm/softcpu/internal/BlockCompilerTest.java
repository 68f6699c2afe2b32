package pcm.softcpu.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.Test;

import pcm.core.api.cpu.Registers;
import pcm.core.api.exit.ExitResult;
import pcm.core.api.vm.VmExit;
import pcm.softcpu.internal.jit.JitStats;

/**
 * The block compiler against the interpreter on hand-written programs, each run on two {@link CpuFixture}s, one
 * with the compiler on (threshold 1): a stop at every instruction count of a loop whose body is one block, a fault
 * and an MMIO exit in the middle of a block, self-modifying code (a block storing into its own later instruction
 * and into its code page), and a CR3 change that maps another physical page at a virtual address whose code was
 * translated.
 */
class BlockCompilerTest {

    private static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG_UNALIGNED;
    private static final long DATA = 0x500000;

    private static CpuFixture fixture(boolean compiled) throws Exception {
        CpuFixture f = new CpuFixture().withSystemTables();
        if (compiled) f.vcpu.setBlockCompiler(1, 64);
        else f.vcpu.setBlockCompiler(false);
        return f;
    }

    private static void reset(CpuFixture f) throws Exception {
        f.vcpu.setRegisters(new Registers(0, 0, 0, 0, 0, 0, 0x90000, 0, 0, 0, 0, 0, 0, 0, 0, 0, CpuFixture.CODE, 2));
        f.ram.set(L, DATA, 0x1234);
        f.ram.set(L, DATA + 8, 0);
    }

    private static String state(CpuFixture f) throws Exception {
        return f.vcpu.registers() + " rflags=" + Long.toHexString(f.vcpu.rflags()) + " count=" + f.vcpu.instructionCount()
                + " cr2=" + Long.toHexString(f.vcpu.specialRegisters().cr2()) + " data=" + Long.toHexString(f.ram.get(L, DATA + 8))
                + " stack=" + Long.toHexString(f.ram.asSlice(0x8F000, 0x1000).elements(L).mapToLong(s -> s.get(L, 0)).sum());
    }

    // 2 + 20 * 11 instructions; the loop body (11 instructions, loads, a store, LEA, PUSH/POP, MOVZX) is one block
    private static final String LOOP = "b900000000 48c7c300005000"
            + "488b03 4801c8 48894308 488d548803 4831c2 52 5e 400fb6fe 48ffc1 4883f914 75df";

    @Test
    void stopsAtEveryCountInsideABlock() throws Exception {
        try (CpuFixture a = fixture(false); CpuFixture b = fixture(true)) {
            a.code(CpuFixture.CODE, LOOP + "f4");
            b.code(CpuFixture.CODE, LOOP + "f4");
            for (int k = 1; k <= 2 + 20 * 11; k++) {
                reset(a);
                reset(b);
                long a0 = a.vcpu.instructionCount(), b0 = b.vcpu.instructionCount();
                assertNull(a.vcpu.runUntil(a0 + k));
                assertNull(b.vcpu.runUntil(b0 + k));
                assertEquals(k, b.vcpu.instructionCount() - b0);
                assertEquals(state(a).replace("count=" + a.vcpu.instructionCount(), ""),
                        state(b).replace("count=" + b.vcpu.instructionCount(), ""), "after " + k + " instructions");
            }
            JitStats s = b.vcpu.blockCompilerStats();
            assertTrue(s.entries > 100 && s.instructions > 10_000, s.toString());
        }
    }

    // rsi = [table[rcx]]: entry 25 points at MMIO (an exit in the middle of the block), entry 30 is non-canonical (#GP)
    private static final String FAULTS = "48c7c300005000 b900000000"
            + "48c7c007000000 4801c8 488b14cb 488b32 4801f7 48ffc1 4883f928 75e3 f4";

    @Test
    void faultAndMmioExitInsideABlockLeaveTheInstructionsState() throws Exception {
        try (CpuFixture a = fixture(false); CpuFixture b = fixture(true)) {
            for (CpuFixture f : new CpuFixture[] {a, b}) {
                f.code(CpuFixture.CODE, FAULTS);
                reset(f);
                for (int i = 0; i < 40; i++) {
                    long p = 0x510000 + 8L * i;
                    f.ram.set(L, DATA + 8L * i, i == 25 ? 0xFEB00010L : i == 30 ? 0x8000000000000000L : p);
                    f.ram.set(L, p, 3L * i + 1);
                }
            }
            VmExit ea = a.vcpu.run(), eb = b.vcpu.run();
            assertInstanceOf(VmExit.MmioRead.class, ea);
            assertEquals(ea.toString(), eb.toString());
            assertEquals(state(a), state(b));
            a.vcpu.complete(ea, ExitResult.value(0x77));
            b.vcpu.complete(eb, ExitResult.value(0x77));
            ea = a.vcpu.run();
            eb = b.vcpu.run();
            assertInstanceOf(VmExit.Hlt.class, ea); // the #GP handler
            assertEquals(ea.toString(), eb.toString());
            assertEquals(state(a), state(b));
            long rsp = b.vcpu.registers().rsp();
            assertEquals(CpuFixture.CODE + 26, b.ram.get(L, rsp + 8), "#GP frame: RIP of mov rsi,[rdx]"); // above the error code
            assertTrue(b.vcpu.blockCompilerStats().instructions > 100, b.vcpu.blockCompilerStats().toString());
        }
    }

    // each pass stores 9+cl into the code page (data at CODE+0x800); at ecx == 10 into the immediate of the block's
    // own later "mov ebx, 5" (CODE+35), which the same pass must then execute as "mov ebx, 19"
    private static final String SMC = "b914000000 31ff ba00081000"
            + "4889d6 41b823001000 83f90a 490f44f0 b009 00c8 8806 bb05000000 4801df ffc9 75de f4";

    @Test
    void storesIntoTranslatedCodeAreSeen() throws Exception {
        try (CpuFixture a = fixture(false); CpuFixture b = fixture(true)) {
            for (CpuFixture f : new CpuFixture[] {a, b}) {
                f.code(CpuFixture.CODE, SMC);
                reset(f);
                assertInstanceOf(VmExit.Hlt.class, f.vcpu.run());
            }
            assertEquals(10 * 5 + 10 * 19, b.vcpu.registers().rdi());
            assertEquals(state(a), state(b));
            JitStats s = b.vcpu.blockCompilerStats();
            assertTrue(s.invalidated >= 1 && s.entries > 0, s.toString());
        }
    }

    private static void tables(MemorySegment ram, long t, long phys) {
        ram.asSlice(t, 0x3000).fill((byte) 0);
        ram.set(L, t, (t + 0x1000) | 3);
        ram.set(L, t + 0x1000, (t + 0x2000) | 3);
        for (int i = 0; i < 4; i++) ram.set(L, t + 0x2000 + 8L * i, ((long) i << 21) | 0x83);
        ram.set(L, t + 0x2000 + 16, phys | 0x83); // virtual 0x400000
    }

    // 50 calls to 0x400000 under T1 (-> phys 0x600000: returns 1), then CR3 = T2 (-> phys 0x200000: returns 100)
    private static final String CR3 = "b800007000 0f22d8 b932000000 e8eeff2f00 4801c3 ffc9 75f4"
            + "b800007100 0f22d8 b932000000 e8d5ff2f00 4801c3 ffc9 75f4 f4";

    @Test
    void cr3ChangeRunsTheNewMappingsCode() throws Exception {
        try (CpuFixture a = fixture(false); CpuFixture b = fixture(true)) {
            for (CpuFixture f : new CpuFixture[] {a, b}) {
                tables(f.ram, 0x700000, 0x600000);
                tables(f.ram, 0x710000, 0x200000);
                f.code(0x600000, "b801000000 83c000 c3");
                f.code(0x200000, "b864000000 83c000 c3");
                f.code(CpuFixture.CODE, CR3);
                reset(f);
                assertInstanceOf(VmExit.Hlt.class, f.vcpu.run());
            }
            assertEquals(50 + 50 * 100, b.vcpu.registers().rbx());
            assertEquals(state(a), state(b));
            assertTrue(b.vcpu.blockCompilerStats().compiled >= 2, b.vcpu.blockCompilerStats().toString());
        }
    }

    @Test
    void generatedSequencesMatchTheInterpreter() throws Exception {
        try (JitSequenceDiff d = new JitSequenceDiff(32)) {
            int bad = d.run(0x18_5EEDL, 400, 10, 10);
            System.out.printf("block compiler vs interpreter: %d sequences, %,d instructions, %,d stops, %d exits; %s%n",
                    d.sequences, d.steps, d.stops, d.exits, d.stats());
            assertEquals(0, bad, () -> String.join("\n", d.mismatches));
            assertTrue(d.stats().instructions > 1000, d.stats().toString());
        }
    }

    @Test
    void backendConfigurationSwitchesIt() throws Exception {
        for (boolean on : new boolean[] {true, false}) {
            SoftHypervisor.Config config = new SoftHypervisor.Config() {
                @Override public String msr_forwarded() { return "10"; }
                @Override public boolean block_compiler() { return on; }
                @Override public Class<? extends java.lang.annotation.Annotation> annotationType() { return SoftHypervisor.Config.class; }
            };
            try (pcm.core.api.cpu.VirtualMachine vm = new SoftHypervisor(config).createVm()) {
                // the configuration decides unless -Dpcm.softcpu.jit forces a mode for the whole JVM
                assertEquals(BlockCompiler.FORCED != null ? BlockCompiler.FORCED : on, ((SoftVcpu) vm.createVcpu(0)).blockCompiler());
            }
        }
        if (BlockCompiler.FORCED == null) {
            try (pcm.core.api.cpu.VirtualMachine vm = new SoftHypervisor().createVm()) {
                assertTrue(((SoftVcpu) vm.createVcpu(0)).blockCompiler(), "on by default");
            }
        }
    }

    @Test
    void switchValueIsTrueOrFalse() {
        assertEquals(Boolean.TRUE, BlockCompiler.parse(" TRUE "));
        assertEquals(Boolean.FALSE, BlockCompiler.parse("false"));
        assertEquals(null, BlockCompiler.parse(null));
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> BlockCompiler.parse("off"));
        assertTrue(e.getMessage().contains("'off'"), e.getMessage());
    }

    @Test
    void embeddedGuestRunsIdentically() throws Exception {
        for (long tick : new long[] {0, 997}) {
            JitGuestRun i = new JitGuestRun(16, tick, 0, 0);
            JitGuestRun c = new JitGuestRun(16, tick, 1, 16); // every head translated, a 16-block cache (evictions)
            System.out.printf("embedded guest, tick %d: %,d instructions, %d exits; %s%n", tick, c.icount, c.exits, c.stats);
            assertEquals("", i.differences(c));
            assertEquals(0, c.status);
            assertTrue(c.stats.instructions > c.icount / 2 && c.stats.evicted > 0, c.stats.toString());
        }
    }
}
