package pcm.softcpu.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import pcm.core.api.vm.VmExit;

/**
 * Issue 13 item 4, on every host: the native oracle measured TZCNT/LZCNT on Intel (UndefFlagsProbe
 * -Doracle=native, 2,000 samples per size: OF = SF = AF = PF = 0); the interpreter's Intel model left them
 * unchanged. On AMD (Zen 4, measured the same way) SF, AF and PF are cleared and OF is kept.
 */
class BitCountFlagsTest {

    static final long CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;

    CpuFixture f;

    @BeforeEach
    void setUp() throws Exception { f = new CpuFixture(); }

    @AfterEach
    void tearDown() { f.close(); }

    private long run(String model, String hex, long rdx) {
        f.vcpu.setUndefinedFlags(model);
        f.cpu.r[2] = rdx;
        f.cpu.setRflags(0x2 | OF | SF | AF | PF | ZF | CF);
        VmExit e = f.run(hex);
        assertInstanceOf(VmExit.Hlt.class, e, () -> "exit " + e);
        return f.flags();
    }

    @Test
    void intelModelClearsOfSfAfPf() {
        assertEquals(0, run("intel", "f3 48 0f bc c2", 0x10) & (OF | SF | AF | PF | ZF | CF)); // tzcnt rax, rdx
        assertEquals(0, run("intel", "f3 0f bd c2", 0x10) & (OF | SF | AF | PF | ZF | CF)); // lzcnt eax, edx
        assertEquals(CF, run("intel", "66 f3 0f bc c2", 0) & (OF | SF | AF | PF | ZF | CF)); // tzcnt ax, dx (0)
    }

    @Test
    void amdModelKeepsOnlyOf() {
        assertEquals(OF, run("amd", "f3 48 0f bc c2", 0x10) & (OF | SF | AF | PF | ZF | CF));
    }
}
