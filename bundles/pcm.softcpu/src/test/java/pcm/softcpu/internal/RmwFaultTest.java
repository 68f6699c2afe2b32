package pcm.softcpu.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HexFormat;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * Issue 13 item 4, on every host: a read-modify-write instruction whose memory destination is not present
 * faults as a write (#PF error code W=1), also when only its second part is, and writes nothing; a plain
 * read faults as a read. The native oracle found it (hardware: error code 6, the interpreter gave 4);
 * {@link NativeRigTest#readModifyWriteFaultsAsAWrite} shows the hardware values.
 */
class RmwFaultTest {

    /** Instructions on [r15 + 0x2000] = {@link DiffRig#HOLE} (r15 = the scratch area) and their #PF error codes. */
    static final Map<String, Integer> CASES = Map.ofEntries(
            Map.entry("41 01 87 00200000", 6),       // add [r15+0x2000], eax
            Map.entry("41 80 b7 00200000 01", 6),    // xor byte [..], 1
            Map.entry("41 ff 87 00200000", 6),       // inc dword [..]
            Map.entry("41 f7 9f 00200000", 6),       // neg dword [..]
            Map.entry("41 f7 97 00200000", 6),       // not dword [..]
            Map.entry("41 d1 a7 00200000", 6),       // shl dword [..], 1
            Map.entry("41 0f ba af 00200000 03", 6), // bts dword [..], 3
            Map.entry("41 87 87 00200000", 6),       // xchg [..], eax
            Map.entry("41 0f c1 87 00200000", 6),    // xadd [..], eax
            Map.entry("41 0f b1 8f 00200000", 6),    // cmpxchg [..], ecx
            Map.entry("41 0f c7 8f 00200000", 6),    // cmpxchg8b [..]
            Map.entry("41 0f a4 87 00200000 01", 6), // shld [..], eax, 1
            Map.entry("41 39 87 00200000", 4),       // cmp [..], eax: a read
            Map.entry("41 0f a3 87 00200000", 4));   // bt [..], eax: a read

    static final long[] REGS = new long[16];

    static {
        REGS[4] = DiffRig.USTACK;
        REGS[15] = DiffGen.SCRATCH;
    }

    /** Runs one instruction; returns the state with the vector. */
    static Rig.State once(Rig rig, String hex, byte[] scratch) throws Exception {
        rig.start(HexFormat.of().parseHex(hex.replace(" ", "")), scratch, new byte[4096], REGS, 0);
        return rig.step();
    }

    @Test
    void readModifyWriteFaultsAsAWrite() throws Exception {
        try (DiffRig soft = new DiffRig("soft", new SoftVm())) {
            for (var c : CASES.entrySet()) {
                Rig.State s = once(soft, c.getKey(), new byte[(int) DiffGen.SCRATCH_SIZE]);
                assertEquals(14, s.vector(), c.getKey());
                assertEquals((long) c.getValue(), s.err(), c.getKey());
            }
        }
    }

    @Test
    void straddlingIntoAMissingPageWritesNothing() throws Exception {
        try (DiffRig soft = new DiffRig("soft", new SoftVm())) {
            byte[] scratch = new byte[(int) DiffGen.SCRATCH_SIZE];
            scratch[0x1FFE] = 0x11;
            scratch[0x1FFF] = 0x22;
            Rig.State s = once(soft, "41 01 87 fe1f0000", scratch); // add [r15+0x1FFE], eax
            assertEquals(14, s.vector());
            assertEquals(6, s.err());
            assertEquals(0x2211, soft.ram.get(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, DiffGen.SCRATCH + 0x1FFE));
        }
    }
}
