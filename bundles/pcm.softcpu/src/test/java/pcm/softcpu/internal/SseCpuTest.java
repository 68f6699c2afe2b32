package pcm.softcpu.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import pcm.core.api.vm.VmExit;

/**
 * What the native oracle cannot show about the SSE unit (issue 13 item 2), since Linux user mode always runs
 * with CR0.EM = 0, CR0.TS = 0 and CR4.OSFXSR = OSXMMEXCPT = 1: #UD for CR0.EM or CR4.OSFXSR = 0 (before #NM),
 * #NM for CR0.TS, MOVNTI exempt from both, an unmasked SIMD exception as #UD without CR4.OSXMMEXCPT,
 * the MMX-register forms as #UD, RCPPS/RSQRTPS without the CPU's model, the MMX conversions' x87 checks.
 */
class SseCpuTest {

    CpuFixture f;
    static final long MARK = 0x60000;

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

    /** Runs {@code hex} at CPL0; the vector it raised, or -1 when it ran to the HLT after it. */
    private int vectorOf(String hex) {
        f.ram.set(ValueLayout.JAVA_BYTE, MARK, (byte) 0xFF);
        f.cpu.r[4] = 0x90000;
        VmExit e = f.run(hex);
        assertInstanceOf(VmExit.Hlt.class, e, () -> hex + ": exit " + e);
        int v = f.ram.get(ValueLayout.JAVA_BYTE, MARK) & 0xFF;
        return v == 0xFF ? -1 : v;
    }

    @Test
    void availabilityChecks() {
        assertEquals(-1, vectorOf("66 0f ef c1")); // pxor xmm0, xmm1
        f.cpu.cr0 |= CpuBase.CR0_TS;
        assertEquals(CpuBase.NM, vectorOf("66 0f ef c1"));
        f.cpu.r[7] = 0x50000;
        assertEquals(-1, vectorOf("48 0f c3 07"), "MOVNTI is not an SSE-state instruction");
        f.cpu.cr0 |= 4; // EM: #UD has priority over TS's #NM
        assertEquals(CpuBase.UD, vectorOf("66 0f ef c1"));
        f.cpu.cr0 &= ~(4L | CpuBase.CR0_TS);
        f.cpu.cr4 &= ~0x200L; // OSFXSR
        assertEquals(CpuBase.UD, vectorOf("0f 28 c1"));
        assertEquals(CpuBase.UD, vectorOf("0f ae 18"), "STMXCSR");
    }

    @Test
    void unmaskedSimdExceptionIsXmOrUdWithoutOsxmmexcpt() {
        f.cpu.x87State.simd.mxcsr = 0x1F80 & ~0x200; // ZE unmasked
        f.cpu.x87State.simd.xmm[0] = 0;
        java.util.Arrays.fill(f.cpu.x87State.simd.xmm, 16, 32, (byte) 0);
        f.cpu.x87State.simd.xmm[3] = 0x3F; // xmm0 = 1.0f
        f.cpu.x87State.simd.xmm[2] = (byte) 0x80;
        assertEquals(19 /* #XM */, vectorOf("f3 0f 5e c1")); // divss xmm0, xmm1 (= 0)
        assertEquals(0x1F80 & ~0x200 | 4, f.cpu.x87State.simd.mxcsr, "ZE set");
        assertEquals(0x3F800000, f.cpu.x87State.simd.xmm[3] << 24 | (f.cpu.x87State.simd.xmm[2] & 0xFF) << 16, "xmm0 unchanged");
        f.cpu.cr4 &= ~0x400L; // OSXMMEXCPT
        assertEquals(CpuBase.UD, vectorOf("f3 0f 5e c1"));
    }

    @Test
    void ldmxcsrReservedBitAndMisalignedMovdqaRaiseGp() {
        f.ram.set(ValueLayout.JAVA_INT_UNALIGNED, 0x50000, 0x11F80);
        f.cpu.r[7] = 0x50000;
        assertEquals(CpuBase.GP, vectorOf("0f ae 17")); // ldmxcsr [rdi]
        assertEquals(0x1F80, f.cpu.x87State.simd.mxcsr);
        f.ram.set(ValueLayout.JAVA_INT_UNALIGNED, 0x50000, 0x7F80);
        assertEquals(-1, vectorOf("0f ae 17"));
        assertEquals(0x7F80, f.cpu.x87State.simd.mxcsr);
        f.cpu.r[7] = 0x50008;
        assertEquals(CpuBase.GP, vectorOf("66 0f 6f 07")); // movdqa xmm0, [rdi]
        assertEquals(-1, vectorOf("f3 0f 6f 07")); // movdqu
    }

    @Test
    void mmxFormsAndLaterExtensionsAreUd() {
        for (String hex : new String[] {"0f fc c1", "0f ef c1", "0f 6f c1", "0f 7e c0", "0f 70 c1 1b", "0f d7 c1", "0f c5 c1 01",
            "f3 0f d6 c1", "f2 0f d6 c1", "0f e7 07", "f2 0f 12 c1", "66 0f 7c c1", "f2 0f f0 07", "f0 66 0f ef c1"}) {
            f.cpu.r[7] = 0x50000;
            assertEquals(CpuBase.UD, vectorOf(hex), hex);
        }
    }

    @Test
    void approximationsStopNamingThemselvesWithoutTheCpusModel() {
        f.vcpu.setVendorModel(pcm.core.api.cpu.CpuIdentity.INTEL_FLAGS, 0x806F8); // Intel: not measured yet
        for (String[] c : new String[][] {{"0f 53 c1", "RCPPS"}, {"f3 0f 52 c1", "RSQRTSS"}}) {
            VmExit e = f.run(c[0]);
            VmExit.InternalError ie = assertInstanceOf(VmExit.InternalError.class, e, c[0]);
            assertTrue(ie.detail().contains(c[1]) && ie.detail().contains("no exact model"), ie.detail());
        }
        f.vcpu.setVendorModel(pcm.core.api.cpu.CpuIdentity.AMD_FLAGS, 0xB00F21); // AMD family 1Ah: measured
        java.util.Arrays.fill(f.cpu.x87State.simd.xmm, 16, 32, (byte) 0);
        f.cpu.x87State.simd.xmm[19] = 0x3F; // xmm1 lane 0 = 0.5f (0x3F000000)
        assertEquals(-1, vectorOf("0f 53 c1")); // rcpps xmm0, xmm1
        assertEquals(0x3FFFF000, f.cpu.sse.s.xmm[0] & 0xFF | (f.cpu.sse.s.xmm[1] & 0xFF) << 8 | (f.cpu.sse.s.xmm[2] & 0xFF) << 16
                | (f.cpu.sse.s.xmm[3] & 0xFF) << 24, "1/0.5 on AMD's table: 1.999...");
    }

    /** The MMX-register forms of the conversions are MMX instructions: #NM with CR0.TS, #UD with CR0.EM, #MF when an x87 exception is pending. */
    @Test
    void mmxConversionsCheckTheX87State() {
        f.cpu.x87State.top = 5;
        f.cpu.x87State.empty = 0xF0;
        assertEquals(-1, vectorOf("0f 2a c1")); // cvtpi2ps xmm0, mm1
        assertEquals(0, f.cpu.x87State.top, "TOP = 0");
        assertEquals(0, f.cpu.x87State.empty, "every tag valid");
        f.cpu.x87State.top = 3;
        f.cpu.r[7] = 0x50000;
        assertEquals(-1, vectorOf("0f 2a 07")); // cvtpi2ps xmm0, [rdi]: an SSE instruction
        assertEquals(3, f.cpu.x87State.top, "the memory form leaves the x87 state");
        f.cpu.x87State.fcw = 0x37E;
        f.cpu.x87State.fsw = pcm.softcpu.internal.x87.X87.IE | pcm.softcpu.internal.x87.X87.ES | pcm.softcpu.internal.x87.X87.B;
        assertEquals(16 /* #MF */, vectorOf("0f 2d c1")); // cvtps2pi mm0, xmm1
        assertEquals(3, f.cpu.x87State.top);
        assertEquals(-1, vectorOf("66 0f 2a 07"), "cvtpi2pd xmm0, [rdi]: no #MF for the SSE form");
        f.cpu.x87State.fsw = 0;
        f.cpu.cr0 |= CpuBase.CR0_TS;
        assertEquals(CpuBase.NM, vectorOf("66 0f 2c c1"));
        f.cpu.cr0 |= 4;
        assertEquals(CpuBase.UD, vectorOf("66 0f 2c c1"));
    }
}
