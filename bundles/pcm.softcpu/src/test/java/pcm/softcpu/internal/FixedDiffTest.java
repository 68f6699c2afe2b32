package pcm.softcpu.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;


/**
 * Hand-written sequences against KVM for defects the random generator could not reach (issue 11 item 2):
 * POP r/m with an RSP-based address, and 16-bit SHLD/SHRD with counts above 16 (every flag compared on an
 * Intel host: the interpreter's Intel model fixes them). Skipped without /dev/kvm; the same cases with
 * expected values are in {@link PopAndWideShiftTest}, which runs everywhere.
 */
class FixedDiffTest extends KvmOracleTest {


    private static long[] regs(SplittableRandom rnd) {
        long[] r = new long[16];
        for (int i = 0; i < 16; i++) r[i] = rnd.nextLong();
        r[4] = DiffRig.USTACK;
        r[15] = DiffGen.SCRATCH;
        return r;
    }

    @Test
    void popToRspBasedAddressesMatchKvm() throws Exception {
        SplittableRandom rnd = new SplittableRandom(11);
        byte[] scratch = new byte[(int) DiffGen.SCRATCH_SIZE], stack = new byte[4096];
        rnd.nextBytes(scratch);
        rnd.nextBytes(stack);
        List<DiffGen.Insn> seq = DiffRunner.fixed(
                "8f 04 24",             // pop qword [rsp]
                "8f 44 24 08",          // pop qword [rsp+8]
                "8f 44 24 f0",          // pop qword [rsp-16]
                "8f 84 24 00 01 00 00", // pop qword [rsp+0x100]
                "66 8f 44 24 02",       // pop word [rsp+2]
                "8f 44 64 08",          // pop qword [rsp+0*2+8] (SIB with no index, scale 1)
                "41 8f 44 24 08",       // pop qword [r12+8]: base R12, not RSP
                "67 8f 44 24 04",       // pop qword [esp+4]
                "8f 45 00");            // pop qword [rbp]
        try (DiffRunner d = new DiffRunner(hv)) {
            for (int i = 0; i < 20; i++) {
                long[] r = regs(rnd);
                r[12] = DiffRig.USTACK - 0x40;
                r[5] = DiffGen.SCRATCH + 8 * rnd.nextInt(64);
                d.runFixed(seq, r, 0, scratch, stack);
            }
            assertEquals(List.of(), d.mismatches);
        }
    }

    @Test
    void wide16BitDoubleShiftsMatchKvm() throws Exception {
        SplittableRandom rnd = new SplittableRandom(12);
        byte[] scratch = new byte[(int) DiffGen.SCRATCH_SIZE], stack = new byte[4096];
        List<DiffGen.Insn> seq = new ArrayList<>();
        List<String> hex = new ArrayList<>();
        for (int cnt = 0; cnt < 32; cnt++) {
            hex.add(String.format("66 0f a4 d8 %02x", cnt)); // shld ax, bx, cnt
            hex.add(String.format("66 0f ac ca %02x", cnt)); // shrd dx, cx, cnt
            hex.add(String.format("b1 %02x", cnt + 32 * rnd.nextInt(8))); // mov cl, cnt (+ bits masked away)
            hex.add("66 41 0f a5 3f");                        // shld [r15], di, cl
            hex.add("66 0f ad f0");                           // shrd ax, si, cl
        }
        seq.addAll(DiffRunner.fixed(hex.toArray(String[]::new)));
        try (DiffRunner d = new DiffRunner(hv)) {
            for (int i = 0; i < 40 && d.mismatches.size() < 3; i++) {
                rnd.nextBytes(scratch);
                long[] r = regs(rnd);
                d.runFixed(seq, r, rnd.nextLong() & DiffGen.ARITH, scratch, stack);
            }
            // the AMD model of these undefined results is not measured: report, do not judge
            if (!CpuBase.HOST_INTEL) System.out.println("wide SHLD/SHRD on this AMD host:\n" + String.join("\n", d.mismatches));
            Assumptions.assumeTrue(CpuBase.HOST_INTEL, "16-bit SHLD/SHRD counts > 16: only the Intel model is measured");
            assertEquals(List.of(), d.mismatches);
        }
    }
}
