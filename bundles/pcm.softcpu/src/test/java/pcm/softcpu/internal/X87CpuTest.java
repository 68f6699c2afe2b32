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
 * The x87 hook of the interpreter (issue 13 items 1 and 2) without a host oracle: the escape opcodes, WAIT,
 * FXSAVE64 and the VirtualCpu FPU image reach the x87 unit; CR0.TS raises #NM through the IDT; an absent
 * transcendental stops the vCPU with the unsupported-instruction error naming it.
 */
class X87CpuTest {

    CpuFixture f;

    @BeforeEach
    void setUp() throws Exception { f = new CpuFixture().withSystemTables(); }

    @AfterEach
    void tearDown() { f.close(); }

    @Test
    void escapeOpcodesRunOnTheX87Unit() throws Exception {
        // fld1; fadd st0,st0; fistp word [0x400000]; fwait
        assertInstanceOf(VmExit.Hlt.class, f.run("d9 e8 d8 c0 df 1c 25 00 00 40 00 9b"));
        assertEquals(2, f.ram.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0x400000));
        // fldpi; fxsave64 [0x400100]: the image in memory and through the VirtualCpu API agree
        assertInstanceOf(VmExit.Hlt.class, f.run("d9 eb 48 0f ae 04 25 00 01 40 00"));
        byte[] api = f.vcpu.fpuState();
        assertEquals(0xC90FDAA22168C235L, f.ram.get(CpuFixture.L, 0x400100 + 32));
        assertEquals(0xC90FDAA22168C235L, java.nio.ByteBuffer.wrap(api, 32, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong());
        assertEquals(0x37F, f.ram.get(ValueLayout.JAVA_SHORT_UNALIGNED, 0x400100));
        assertEquals(7, (api[3] >> 3) & 7, "TOP");
    }

    @Test
    void taskSwitchedRaisesNm() throws Exception {
        f.cpu.cr0 |= CpuBase.CR0_TS;
        assertInstanceOf(VmExit.Hlt.class, f.run("d9 e8"));
        assertEquals(CpuFixture.HANDLER + 1, f.cpu.rip, "delivered to the #NM handler");
        assertEquals(CpuFixture.CODE, f.ram.get(CpuFixture.L, f.cpu.r[4]), "faulting RIP in the frame");
        assertEquals(0xFF, f.vcpu.fpuState()[4] ^ 0xFF, "nothing loaded");
    }

    @Test
    void absentTranscendentalStopsNamingIt() throws Exception {
        VmExit e = f.run("d9 e8 d9 fe"); // fld1; fsin
        VmExit.InternalError ie = assertInstanceOf(VmExit.InternalError.class, e);
        assertTrue(ie.toString().contains("FSIN"), ie.toString());
    }
}
