package pcm.softcpu.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import pcm.core.api.exit.ExitResult;
import pcm.core.api.vm.VmExit;

/**
 * Issue 13 item 3, on the interpreter alone (CPL0 and encodings the host CPU would execute): undefined
 * and unadvertised encodings raise #UD in the guest instead of stopping the vCPU; LOCK is refused where
 * the architecture refuses it; unknown MSRs raise #GP(0) unless forwarded; RDPID reads TSC_AUX (it ran
 * as RDSEED before); CR4.TSD/PCE make RDTSC/RDTSCP/RDPMC privileged. The user-mode #UD cases are also
 * compared with the host CPU in {@link UndefinedOpcodeNativeTest}.
 */
class InvalidOpcodeTest {

    CpuFixture f;

    @BeforeEach
    void setUp() throws Exception {
        f = new CpuFixture().withSystemTables();
        for (int v = 0; v < 32; v++) {
            long h = CpuFixture.HANDLER + 0x100 + v * 16L;
            f.setGate(v, h, 0);
            f.code(h, String.format("c6 04 25 00 00 06 00 %02x f4", v)); // mov byte [MARK], v; hlt
        }
    }

    @AfterEach
    void tearDown() { f.close(); }

    static final long MARK = 0x60000;

    /** Runs {@code hex} at CPL0; the vector it raised, or -1 when it ran to the HLT after it. */
    private int vectorOf(String hex) {
        f.ram.set(java.lang.foreign.ValueLayout.JAVA_BYTE, MARK, (byte) 0xFF);
        f.cpu.r[4] = 0x90000;
        VmExit e = f.run(hex);
        assertInstanceOf(VmExit.Hlt.class, e, () -> hex + ": exit " + e);
        int v = f.ram.get(java.lang.foreign.ValueLayout.JAVA_BYTE, MARK) & 0xFF;
        if (v == 0xFF) return -1;
        boolean err = v == 8 || (v >= 10 && v <= 14) || v == 17;
        long pushedRip = f.ram.get(CpuFixture.L, f.cpu.r[4] + (err ? 8 : 0));
        assertEquals(CpuFixture.CODE, pushedRip, hex + ": a fault reports the instruction's own RIP");
        return v;
    }

    @Test
    void undefinedEncodingsRaiseUd() {
        List<String> bad = new ArrayList<>();
        for (String hex : new String[] {
            "0f 0b",            // UD2 (Linux BUG/WARN)
            "0f ff c0",         // UD0
            "0f b9 c0",         // UD1
            "06", "07", "0e", "16", "17", "1e", "1f", "27", "2f", "37", "3f", "60", "61", // invalid in 64-bit mode
            "d4 0a", "d5 0a", "d6", "ce", "82 c0 01", "9a 00 00 00 00 00 00", "ea 00 00 00 00 00 00",
            "fe d0",            // FE /2
            "ff f8",            // FF /7
            "ff d8",            // FF /3 with a register operand
            "c6 c8 00",         // C6 /1
            "8d c0",            // LEA with a register source
            "0f 00 f0",         // 0F 00 /6
            "0f 04", "0f 0a", "0f 0c", "0f 24 c0", "0f 36", "0f a6", "0f a7", "0f aa", "0f 7a", "0f 7b",
            "0f c7 c0",         // 0F C7 /0
            "0f ba c0 01",      // 0F BA /0
            "0f b8 c0",         // POPCNT needs F3
            "f2 0f c7 f0",      // F2 0F C7 /6
        }) {
            int v = vectorOf(hex);
            if (v != CpuBase.UD) bad.add(hex + " -> " + v);
        }
        assertEquals(List.of(), bad);
    }

    @Test
    void unadvertisedEncodingsRaiseUd() {
        List<String> bad = new ArrayList<>();
        for (String hex : new String[] {
            "c5 f8 77",         // VZEROUPPER (VEX: no AVX)
            "c4 e2 78 f2 c1",   // ANDN (BMI1 not advertised)
            "62 f1 7c 48 10 c1", // EVEX
            "0f 38 f0 07",      // MOVBE
            "f2 0f 38 f0 c1",   // CRC32 (SSE4.2)
            "66 0f 38 00 c1",   // PSHUFB (SSSE3)
            "0f 3a 0f c1 01",   // PALIGNR (SSSE3)
            "0f 01 ca",         // CLAC (SMAP)
            "0f 01 cb",         // STAC
            "0f 01 d0",         // XGETBV (XSAVE)
            "0f 01 c8",         // MONITOR
            "0f 01 c9",         // MWAIT
            "0f 01 ee",         // RDPKRU
            "0f 01 fc",         // CLZERO
            "f3 0f ae c0",      // RDFSBASE (FSGSBASE)
            "0f ae 20",         // XSAVE
            "0f ae 28",         // XRSTOR
            "66 0f ae 38",      // CLFLUSHOPT
            "0f 0e",            // FEMMS (3DNow!)
            "0f 0f c1 0c",      // 3DNow!
            "0f 34",            // SYSENTER (SEP not advertised)
            "0f 37",            // GETSEC
            "c7 f8 00 00 00 00", // XBEGIN (RTM)
            "f2 0f 7c c1",      // HADDPS (SSE3)
            "f3 0f ae f0",      // UMONITOR
        }) {
            int v = vectorOf(hex);
            if (v != CpuBase.UD) bad.add(hex + " -> " + v);
        }
        assertEquals(List.of(), bad);
    }

    @Test
    void lockOnlyOnLockableMemoryDestinations() {
        f.cpu.r[7] = 0x50000;
        List<String> bad = new ArrayList<>();
        for (String hex : new String[] {"f0 90", "f0 01 c0", "f0 39 07", "f0 8b 07", "f0 f7 d0", "f0 0f a3 07", "f0 0f ba 27 01",
                "f0 0f c7 c8", "f0 d1 27", "f0 84 07"}) {
            int v = vectorOf(hex);
            if (v != CpuBase.UD) bad.add(hex + " -> " + v);
        }
        for (String hex : new String[] {"f0 01 07", "f0 48 83 07 01", "f0 0f ab 07", "f0 0f ba 2f 01", "f0 87 07", "f0 f7 17",
                "f0 0f c1 07", "f0 0f b1 0f", "f0 ff 07", "f0 0f c7 0f"}) {
            int v = vectorOf(hex);
            if (v != -1) bad.add(hex + " (lockable) -> " + v);
        }
        assertEquals(List.of(), bad);
    }

    @Test
    void notYetImplementedEncodingsStopTheVcpuNamingThem() {
        // x87, FXSAVE and SSE/SSE2 are in (X87Slot, SseSlot); an absent transcendental and LAR still stop naming themselves
        for (String[] c : new String[][] {{"d9 fe", "FSIN"}, {"0f 02 c0", "LAR"}, {"ff 1c 24", "far CALL"}}) {
            VmExit e = f.run(c[0]);
            VmExit.InternalError ie = assertInstanceOf(VmExit.InternalError.class, e, c[0]);
            assertTrue(ie.detail().contains(c[1]), ie.detail());
        }
    }

    @Test
    void unknownMsrRaisesGpForwardedOneExits() throws Exception {
        f.cpu.r[1] = 0x3A; // IA32_FEATURE_CONTROL: not held, not forwarded
        assertEquals(CpuBase.GP, vectorOf("0f 32"));
        assertEquals(0, f.ram.get(CpuFixture.L, f.cpu.r[4]), "error code 0");
        f.cpu.r[1] = 0x3A;
        assertEquals(CpuBase.GP, vectorOf("0f 30"));
        f.cpu.r[1] = 0x10; // TSC: forwarded by default
        f.code(CpuFixture.CODE, "0f 32 f4");
        f.cpu.rip = CpuFixture.CODE;
        VmExit e = f.runToExit();
        assertEquals(new VmExit.MsrRead(0x10), e);
        f.vcpu.complete(e, ExitResult.value(0x1_0000_0002L));
        assertEquals(2, f.cpu.r[0]);
        assertEquals(1, f.cpu.r[2]);
        f.vcpu.setForwardedMsrs(java.util.Set.of(0x3A)); // configurable per MSR
        f.cpu.r[1] = 0x3A;
        f.code(CpuFixture.CODE, "0f 32 f4");
        f.cpu.rip = CpuFixture.CODE;
        assertEquals(new VmExit.MsrRead(0x3A), f.runToExit());
    }

    /** AMD's HWCR exists on the AMD model only: TscFreqSel set (Linux warned a firmware bug without it), fixed. */
    @Test
    void hwcrIsAnAmdMsrWithTscFreqSel() throws Exception {
        f.vcpu.setVendorModel("amd");
        f.cpu.r[1] = 0xC0010015;
        assertEquals(-1, vectorOf("0f 32"));
        assertEquals(1 << 24, f.cpu.r[0]);
        assertEquals(0, f.cpu.r[2]);
        f.cpu.r[1] = 0xC0010015;
        f.cpu.r[0] = 1 << 24;
        f.cpu.r[2] = 0;
        assertEquals(-1, vectorOf("0f 30"), "writing the value it has");
        f.cpu.r[1] = 0xC0010015;
        f.cpu.r[0] = 1 << 24 | 1 << 30;
        assertEquals(CpuBase.GP, vectorOf("0f 30"), "a bit the model does not hold");
        f.vcpu.setVendorModel("intel");
        f.cpu.r[1] = 0xC0010015;
        assertEquals(CpuBase.GP, vectorOf("0f 32"), "no HWCR on Intel");
    }

    @Test
    void rdpidReadsTscAuxWithoutAnExit() {
        f.cpu.tscAux = 0x1_0000_0007L & 0xFFFFFFFFL;
        f.cpu.r[3] = -1;
        assertEquals(-1, vectorOf("f3 48 0f c7 fb")); // rdpid rbx
        assertEquals(7, f.cpu.r[3]);
        f.cpu.r[9] = -1;
        assertEquals(-1, vectorOf("f3 41 0f c7 f9")); // rdpid r9 (64-bit operand without REX.W)
        assertEquals(7, f.cpu.r[9]);
    }

    @Test
    void rdtscpReturnsTscAndTscAux() throws Exception {
        f.cpu.tscAux = 5;
        f.code(CpuFixture.CODE, "0f 01 f9 f4");
        f.cpu.rip = CpuFixture.CODE;
        VmExit e = f.runToExit();
        assertEquals(new VmExit.Nondeterministic(VmExit.Insn.RDTSCP, 0), e);
        f.vcpu.complete(e, ExitResult.value(0x11_2233_4455L));
        assertEquals(0x2233_4455L, f.cpu.r[0]);
        assertEquals(0x11, f.cpu.r[2]);
        assertEquals(5, f.cpu.r[1]);
    }

    @Test
    void timeStampDisableMakesRdtscPrivileged() throws Exception {
        f.cpu.cr4 |= SystemInsns.CR4_TSD;
        f.enterUser(CpuFixture.USER_CODE, 0x7000);
        f.code(CpuFixture.USER_CODE, "0f 31"); // rdtsc at CPL3
        f.ram.set(CpuFixture.L, 0x7000 - 8, 0);
        f.ram.set(java.lang.foreign.ValueLayout.JAVA_BYTE, MARK, (byte) 0xFF);
        VmExit e = f.runToExit();
        assertInstanceOf(VmExit.Hlt.class, e);
        assertEquals(CpuBase.GP, f.ram.get(java.lang.foreign.ValueLayout.JAVA_BYTE, MARK));
    }
}
