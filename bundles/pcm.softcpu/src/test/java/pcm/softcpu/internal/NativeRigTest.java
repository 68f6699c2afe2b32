package pcm.softcpu.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;

import org.junit.jupiter.api.Test;

/**
 * The native oracle itself (issue 13 item 4), against values known without any CPU model: the trampoline
 * loads and stores every GPR, RFLAGS and the FXSAVE image (x87, MXCSR, XMM), each instruction is one step,
 * memory changes reach the mirror, and faults come back as their x86 vectors. Skipped where the runner
 * cannot be built.
 */
class NativeRigTest extends NativeOracleTest {

    private static long[] regs() {
        long[] r = new long[16];
        for (int i = 0; i < 16; i++) r[i] = 0x1111_1111_1111_1111L * i;
        r[4] = DiffRig.USTACK;
        r[15] = DiffGen.SCRATCH;
        return r;
    }

    private static Rig.State[] run(String hex, long[] r, long flags, int steps) {
        rig.start(HexFormat.of().parseHex(hex.replace(" ", "")), new byte[(int) DiffGen.SCRATCH_SIZE], new byte[4096], r, flags);
        Rig.State[] s = new Rig.State[steps];
        for (int i = 0; i < steps; i++) s[i] = rig.step();
        return s;
    }

    @Test
    void everyRegisterAndFlagGoesInAndComesBack() {
        long[] r = regs();
        Rig.State[] s = run("90 48 01 c8", r, 0x8D5, 2); // nop; add rax, rcx
        assertEquals(1, s[0].vector());
        assertEquals(DiffRig.CODE + 1, s[0].rip());
        assertArrayEquals(r, s[0].r());
        assertEquals(0x8D5 | 0x302, s[0].rflags() & 0xFD7);
        assertEquals(r[1], s[1].r()[0]);
        assertEquals(DiffRig.CODE + 4, s[1].rip());
        assertEquals(0x306, s[1].rflags() & 0xFD7); // 0x1111..1111: PF, no CF/OF/AF/ZF/SF
    }

    @Test
    void pushesReachTheMirrorAtTheirAddress() {
        long[] r = regs();
        Rig.State[] s = run("53 41 8f 47 08", r, 0, 2); // push rbx; pop qword [r15+8]
        assertEquals(DiffRig.USTACK - 8, s[0].r()[4]);
        assertEquals(r[3], rig.ram().get(DiffRig.L, DiffRig.USTACK - 8));
        assertEquals(r[3], rig.ram().get(DiffRig.L, DiffGen.SCRATCH + 8));
        assertEquals(DiffRig.USTACK, s[1].r()[4]);
    }

    @Test
    void faultsAreReportedAsVectors() {
        long[] r = regs();
        r[3] = 0;
        assertEquals(0, run("48 f7 f3", r, 0, 1)[0].vector()); // div rbx (0): #DE
        Rig.State pf = run("48 8b 04 25 00 20 03 00", regs(), 0, 1)[0]; // mov rax, [0x32000]: unmapped
        assertEquals(14, pf.vector());
        assertEquals(4, pf.err() & 7); // user, read, not present
        assertEquals(DiffRig.CODE, pf.rip());
        assertEquals(13, run("f4", regs(), 0, 1)[0].vector()); // hlt at CPL3: #GP
        assertEquals(6, run("0f 0b", regs(), 0, 1)[0].vector()); // ud2: #UD
    }

    @Test
    void readModifyWriteFaultsAsAWrite() throws Exception {
        for (var c : RmwFaultTest.CASES.entrySet()) { // the page is PROT_NONE here: P=1 besides
            Rig.State s = RmwFaultTest.once(rig, c.getKey(), new byte[(int) DiffGen.SCRATCH_SIZE]);
            assertEquals(14, s.vector(), c.getKey());
            assertEquals((long) c.getValue(), s.err() & 6, c.getKey());
        }
    }

    @Test
    void x87MxcsrAndXmmStateIsLoadedAndReported() {
        byte[] fp = rig.fpImage.clone();
        try {
            rig.fpImage[24] = (byte) 0xC0; // MXCSR 0x9FC0: FTZ, DAZ, all masked
            rig.fpImage[25] = (byte) 0x9F;
            for (int i = 0; i < 8; i++) rig.fpImage[160 + i] = (byte) (0x10 + i); // XMM0 low quadword
            rig.reportFp = true;
            // stmxcsr [r15]; movq rax, xmm0; fld1
            Rig.State[] s = run("41 0f ae 1f 66 48 0f 7e c0 d9 e8", regs(), 0, 3);
            assertEquals(0x9FC0, rig.ram().get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, DiffGen.SCRATCH));
            assertEquals(0x1716151413121110L, s[1].r()[0]);
            byte[] after = rig.lastFp;
            assertEquals(7, (after[3] >> 3) & 7, "x87 TOP after one load"); // FSW bits 11..13
            assertEquals(0x8000000000000000L, java.nio.ByteBuffer.wrap(after, 32, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong());
            assertEquals(0x3FFF, java.nio.ByteBuffer.wrap(after, 40, 2).order(java.nio.ByteOrder.LITTLE_ENDIAN).getShort());
        } finally {
            System.arraycopy(fp, 0, rig.fpImage, 0, fp.length);
            rig.reportFp = false;
        }
    }
}
