package pcm.softcpu.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import pcm.core.api.vm.VmExit;

/**
 * VERR and VERW (0F 00 /4, /5). Debian's kernel 6.1.176 executes VERW on every return to user mode where it deems
 * the CPU exposed to TSA (AMD Zen 3/4) or MDS (Intel): the soft CPU stopped the Linux guest at it ("unsupported
 * instruction (VERW)", LinuxVirtioIT on an AMD host). Only ZF changes; the native differential test compares both
 * with the host CPU over selectors whose answers agree in its GDT and the host's (DiffGen.VERIFY_SELECTORS).
 */
class VerifySegmentTest {

    static final long CF = 1, ZF = 0x40, SF = 0x80;

    CpuFixture f;

    @BeforeEach
    void setUp() throws Exception { f = new CpuFixture().withSystemTables(); }

    @AfterEach
    void tearDown() { f.close(); }

    /** ZF after VERW (write) or VERR of {@code selector} in AX, with CF and SF set before (they must stay). */
    private boolean verifies(boolean write, int selector) {
        f.cpu.r[0] = selector;
        f.cpu.setRflags(0x2 | CF | SF);
        VmExit e = f.run(write ? "0f 00 e8" : "0f 00 e0");
        assertInstanceOf(VmExit.Hlt.class, e, () -> "exit " + e);
        assertEquals(CF | SF, f.flags() & (CF | SF), "only ZF changes");
        return (f.flags() & ZF) != 0;
    }

    @Test
    void kernelVerifiesItsDataSegmentForWritingAndCodeOnlyForReading() {
        assertEquals(true, verifies(true, 0x10), "VERW kernel data");
        assertEquals(true, verifies(false, 0x10), "VERR kernel data");
        assertEquals(false, verifies(true, 0x08), "VERW code");
        assertEquals(true, verifies(true, 0x18), "VERW user data at CPL0");
        assertEquals(true, verifies(false, 0x20), "VERR readable user code");
        assertEquals(false, verifies(true, 0x20), "VERW user code");
    }

    @Test
    void nullOutOfLimitSystemAndLdtSelectorsDoNotVerify() {
        assertEquals(false, verifies(true, 0), "null");
        assertEquals(false, verifies(false, 3), "null with RPL 3");
        assertEquals(false, verifies(true, 0x28), "TSS: a system descriptor");
        assertEquals(false, verifies(false, 0x38), "past the GDT limit 0x37");
        assertEquals(false, verifies(true, 0x14), "LDT selector, no LDT loaded");
    }

    @Test
    void userModeChecksCplAndRpl() throws Exception {
        f.enterUser(CpuFixture.CODE, 0x90000);
        assertEquals(false, verifies(true, 0x10), "kernel data from CPL3");
        assertEquals(true, verifies(true, 0x1B), "user data");
        assertEquals(true, verifies(true, 0x18), "user data with RPL 0 from CPL3");
    }

    @Test
    void rplAboveDplFails() {
        assertEquals(false, verifies(true, 0x13), "kernel data, RPL 3");
    }

    @Test
    void memoryOperandIsTheSelector() {
        f.ram.set(ValueLayout.JAVA_SHORT_UNALIGNED, 0x8000, (short) 0x10);
        f.cpu.r[0] = 0x8000;
        VmExit e = f.run("0f 00 28"); // verw [rax]
        assertInstanceOf(VmExit.Hlt.class, e, () -> "exit " + e);
        assertEquals(ZF, f.flags() & ZF);
    }
}
