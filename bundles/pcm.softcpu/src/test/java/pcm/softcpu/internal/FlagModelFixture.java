package pcm.softcpu.internal;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import pcm.core.api.vm.VmExit;

/** One instruction on the interpreter under one vendor flag model, for the model's vector tests. */
abstract class FlagModelFixture {

    static final long CF = 1, PF = 4, AF = 0x10, ZF = 0x40, SF = 0x80, OF = 0x800;
    static final long ARITH = CF | PF | AF | ZF | SF | OF;

    CpuFixture f;

    /** The model under test ("amd", "tcg", ...). */
    abstract String model();

    @BeforeEach
    void setUp() throws Exception {
        f = new CpuFixture();
        f.vcpu.setVendorModel(model());
    }

    @AfterEach
    void tearDown() { f.close(); }

    /** Runs {@code hex} (then HLT) from RFLAGS {@code flagsBefore}; returns the arithmetic flags after it. */
    long run(long flagsBefore, String hex) {
        f.cpu.setRflags(0x2 | flagsBefore);
        VmExit e = f.run(hex);
        assertInstanceOf(VmExit.Hlt.class, e, () -> "exit " + e);
        return f.flags() & ARITH;
    }
}
