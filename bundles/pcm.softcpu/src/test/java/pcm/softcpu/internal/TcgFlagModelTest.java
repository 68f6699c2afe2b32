package pcm.softcpu.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * The model of QEMU's software emulator (TCG) for the architecturally undefined flags, on every host. TCG is the CPU
 * of the emulated SVM host (bin/svm-host, "-cpu max", vendor AuthenticAMD): KVM's guests there execute on it, so
 * the soft verifier replays their windows with this model. With the AMD hardware model instead, a KVM-recorded window
 * there was DIVERGED on the soft verifier (an interrupt frame's RFLAGS after a MUL: SF from the result on TCG, kept on
 * AMD). Every vector below was executed under {@code qemu-x86_64} (QEMU 7.2, Debian 12's qemu-user: the same TCG
 * front end) and natively on an AMD EPYC, which differs in 12 of the 13; the whole model was checked with
 * {@code UndefFlagsProbe -Doracle=native -Dpcm.native.emulator=qemu-x86_64} (600 samples per instruction and size).
 */
class TcgFlagModelTest extends FlagModelFixture {

    @Override
    String model() { return "tcg"; }

    @Test
    void theModelIsReportedAndKeptApartFromAmd() {
        assertEquals("tcg", f.vcpu.vendorModel());
        assertEquals("tcg", f.vcpu.identity().undefinedFlags());
        f.vcpu.setVendorModel("amd");
        assertEquals("amd", f.vcpu.vendorModel());
    }

    @Test
    void shiftsClearAf() {
        f.cpu.r[0] = 0x80;
        assertEquals(0, run(0, "c0 e8 03"), "shr al, 3 -> 0x10 (AMD sets AF)");
        f.cpu.r[0] = 0x40;
        assertEquals(OF | SF, run(0, "d0 e0"), "shl al, 1 -> 0x80");
    }

    @Test
    void mulTakesSfZfPfFromTheResultAndClearsAf() {
        f.cpu.r[0] = 3;
        f.cpu.r[2] = 5;
        assertEquals(PF, run(ARITH, "48 f7 e2"), "mul rdx: 15 (AMD keeps all four, Intel clears ZF)");
        f.cpu.r[0] = 1L << 62;
        f.cpu.r[2] = 4;
        assertEquals(CF | OF | ZF | PF, run(0, "48 0f af c2"), "imul rax, rdx: 0 with overflow (Intel clears ZF)");
    }

    @Test
    void divLeavesEveryFlag() {
        f.cpu.r[0] = 100;
        f.cpu.r[2] = 0;
        f.cpu.r[1] = 7;
        assertEquals(ARITH, run(ARITH, "48 f7 f1"), "div rcx: 14 rem 2 (AMD clears SF, ZF, PF and sets AF)");
        assertEquals(14, f.cpu.r[0]);
    }

    @Test
    void rclOfIsMsbOfSourceXorResult() {
        f.cpu.r[0] = 0x80;
        f.cpu.r[1] = 9;
        assertEquals(CF, run(CF, "d2 d0"), "rcl al, cl=9: nothing changes (AMD sets OF)");
        f.cpu.r[0] = 0x81;
        assertEquals(OF, run(0, "c0 d0 03"), "rcl al, 3 -> 0x0a, CF 0: OF = MSB(0x81 ^ 0x0a) (AMD: MSB(res) ^ CF = 0)");
        assertEquals(0x0a, f.cpu.r[0] & 0xFF);
    }

    @Test
    void shrd64TakesOfFromTheDestinationAlone() {
        f.cpu.r[0] = 0x1234567890abcdefL;
        f.cpu.r[2] = 0xfedcba;
        assertEquals(OF | SF | PF, run(0, "48 0f ac d0 05"), "shrd rax, rdx, 5");
        assertEquals(0xd091a2b3c4855e6fL, f.cpu.r[0]);
    }

    @Test
    void wide16BitDoubleShiftsShiftIntelsValueWithTcgsOf() {
        f.cpu.r[0] = 0x8421;
        f.cpu.r[2] = 0x1234;
        f.cpu.r[1] = 20;
        assertEquals(OF | PF | CF, run(0, "66 0f a5 d0"), "shld ax, dx, cl=20");
        assertEquals(0x2348, f.cpu.r[0] & 0xFFFF, "dest:src:dest (AMD: dest:src:src, 0x2341)");
        f.cpu.r[0] = 0x8421;
        assertEquals(0, run(0, "66 0f ad d0"), "shrd ax, dx, cl=20");
        assertEquals(0x1123, f.cpu.r[0] & 0xFFFF);
        f.cpu.r[0] = 0x8421;
        f.cpu.r[1] = 16;
        assertEquals(OF | CF, run(0, "66 0f a5 d0"), "shld ax, dx, cl=16: OF = CF ^ MSB(res) (AMD: OF = CF)");
    }

    @Test
    void bsfTakesSfAndPfFromTheSourceTzcntAsIntel() {
        f.cpu.r[2] = 0x8000000000000100L;
        assertEquals(SF | PF, run(0, "48 0f bc c2"), "bsf rax, rdx -> 8 (Intel and AMD: PF of the index, 0)");
        assertEquals(8, f.cpu.r[0]);
        f.cpu.r[2] = 0x100;
        assertEquals(0, run(ARITH, "f3 48 0f bc c2"), "tzcnt rax, rdx -> 8 (AMD keeps OF)");
    }
}
