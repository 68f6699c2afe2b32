package pcm.softcpu.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The AMD model of the architecturally undefined flags, on every host (the native differential test compares
 * them only where the host is an AMD CPU). Each vector was measured natively on an AMD EPYC (Zen 4, family 0x19,
 * signature 0xa10f11) with {@code UndefFlagsProbe -Doracle=native}. Until this model was measured, the soft CPU's
 * AMD windows pushed flags (interrupt frames, PUSHF) a KVM replay on AMD hardware did not: the kvm verifier said
 * DIVERGED on a true window (LoggedOperandTest on an AMD host with /dev/kvm, an SHL's AF in an interrupt frame).
 */
class AmdFlagModelTest extends FlagModelFixture {

    @Override
    String model() { return "amd"; }

    @Test
    void shiftsSetAfAndShrOfIsZeroAboveOne() {
        f.cpu.r[0] = 0x80;
        assertEquals(AF, run(0, "c0 e8 03"), "shr al, 3 -> 0x10: OF = MSB(res) ^ bit 6 = 0, AF = 1");
        f.cpu.r[0] = 0x40;
        assertEquals(AF | OF | SF, run(0, "d0 e0"), "shl al, 1 -> 0x80: OF = MSB ^ CF, AF = 1");
    }

    @Test
    void mulLeavesSfZfAfPfAsTheyWere() {
        f.cpu.r[0] = 3;
        f.cpu.r[2] = 5;
        assertEquals(SF | ZF | AF | PF, run(SF | ZF | AF | PF, "48 f7 e2"), "mul rdx: 15, no overflow");
        f.cpu.r[0] = 1L << 62;
        f.cpu.r[2] = 4;
        assertEquals(CF | OF, run(0, "48 0f af c2"), "imul rax, rdx: overflow, the rest kept (clear)");
    }

    @Test
    void divClearsPfZfSfSetsAfKeepsCfOf() {
        f.cpu.r[0] = 100;
        f.cpu.r[2] = 0;
        f.cpu.r[1] = 7;
        assertEquals(CF | OF | AF, run(CF | OF | PF | ZF | SF | AF, "48 f7 f1"), "div rcx: 14 rem 2");
        f.cpu.r[0] = 100;
        f.cpu.r[2] = 0;
        assertEquals(AF, run(0, "48 f7 f1"), "div rcx from clear flags");
    }

    @Test
    void rclByNineKeepsTheByteAndSetsOfFromIt() {
        f.cpu.r[0] = 0x80;
        f.cpu.r[1] = 9;
        assertEquals(CF, run(CF, "d2 d0"), "rcl al, cl=9 with CF: value kept, OF = MSB ^ CF = 0");
        assertEquals(0x80, f.cpu.r[0]);
        assertEquals(OF, run(0, "d2 d0"), "without CF: OF = MSB ^ CF = 1");
    }
}
