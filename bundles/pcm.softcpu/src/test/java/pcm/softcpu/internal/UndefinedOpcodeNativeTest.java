package pcm.softcpu.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * Issue 13 item 3 against the host CPU (user mode, no KVM): encodings that are undefined on every x86-64
 * CPU, LOCK where the architecture refuses it, and privileged instructions at CPL3 fault with the same
 * vector (and error code) natively and on the interpreter, which before stopped the vCPU on several of
 * them (60, D6, FE /2, LOCK was ignored), and raised #UD for SWAPGS at CPL3 where the CPU raises #GP(0). Encodings the host may implement but the interpreter does not
 * advertise (VEX, MOVBE, ...) cannot be compared here: {@link InvalidOpcodeTest}.
 */
class UndefinedOpcodeNativeTest extends NativeOracleTest {

    static final String[] CASES = {
        "0f 0b", "0f ff c0", "0f b9 c0",
        "06", "07", "0e", "16", "17", "1e", "1f", "27", "2f", "37", "3f", "60", "61",
        "d4 0a", "d5 0a", "d6", "ce", "82 c0 01", "9a 00 00 00 00 00 00", "ea 00 00 00 00 00 00",
        "fe d0", "fe ff", "ff f8", "ff d8", "ff e8", "c6 c8 00", "c7 c8 00 00 00 00", "8d c0", "0f 00 f0",
        "0f 04", "0f 0a", "0f 0c", "0f 36", "0f a6", "0f a7", "0f c7 c0", "0f ba c0 01", "0f b8 c0",
        // LOCK: not lockable, or a register destination
        "f0 90", "f0 01 c0", "f0 41 39 07", "f0 41 8b 07", "f0 f7 d0", "f0 41 0f a3 07", "f0 41 0f ba 27 01",
        "f0 41 d1 27", "f0 41 84 07", "f0 48 87 c0",
        // LOCK on lockable memory destinations: executes
        "f0 41 01 07", "f0 49 83 07 01", "f0 41 0f ab 07", "f0 41 87 07", "f0 41 f7 17", "f0 41 0f c1 07",
        // privileged at CPL3
        "0f 01 f8", "0f 32", "0f 30", "f4", "0f 20 c0", "0f 22 d8", "0f 06", "0f 09", "0f 01 38", "fa",
    };

    @Test
    void faultsMatchTheHostCpu() throws Exception {
        SplittableRandom rnd = new SplittableRandom(13);
        byte[] scratch = new byte[(int) DiffGen.SCRATCH_SIZE], stack = new byte[4096];
        try (DiffRunner d = new DiffRunner(rig, rig.flagModel())) {
            for (String hex : CASES) {
                long[] r = new long[16];
                for (int i = 0; i < 16; i++) r[i] = rnd.nextLong();
                r[4] = DiffRig.USTACK;
                r[15] = DiffGen.SCRATCH;
                r[0] = 5; // a small bit offset: BTS [r15], eax stays in the scratch page
                d.runFixed(DiffRunner.fixed(hex), r, 0, scratch, stack);
            }
            assertEquals(List.of(), d.mismatches);
            assertEquals(CASES.length, d.sequences);
        }
    }
}
