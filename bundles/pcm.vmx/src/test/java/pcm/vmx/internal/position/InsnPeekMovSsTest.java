package pcm.vmx.internal.position;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Issue 12 item 3: on hardware virtualization one single-step covers MOV SS and the instruction after it, so the
 * counter must recognise MOV SS and its length (where the next instruction starts). Seen on the emulated SVM host
 * (bin/svm-host): the embedded guest's {@code mov %eax,%ss; mov %eax,%fs} made every later position one short.
 */
class InsnPeekMovSsTest {

    private static int classify(int... bytes) {
        byte[] b = new byte[16];
        for (int i = 0; i < bytes.length; i++) {
            b[i] = (byte) bytes[i];
        }
        return InsnPeek.classify(b, bytes.length);
    }

    @Test
    void movToSsWithItsLength() {
        assertEquals(InsnPeek.MOV_SS | 2 << 8, classify(0x8e, 0xd0));                          // mov %eax,%ss
        assertEquals(InsnPeek.MOV_SS | 3 << 8, classify(0x41, 0x8e, 0xd0));                    // mov %r8d,%ss
        assertEquals(InsnPeek.MOV_SS | 4 << 8, classify(0x66, 0x8e, 0x50, 0x08));              // mov 8(%rax),%ss
        assertEquals(InsnPeek.MOV_SS | 7 << 8, classify(0x8e, 0x14, 0x25, 0, 0x10, 0, 0));     // mov 0x1000,%ss (SIB, disp32)
        assertEquals(InsnPeek.MOV_SS | 6 << 8, classify(0x8e, 0x15, 0, 0, 0, 0));              // mov 0(%rip),%ss
        assertEquals(InsnPeek.MOV_SS | 7 << 8, classify(0x8e, 0x94, 0x24, 0, 1, 0, 0));        // mov 0x100(%rsp),%ss
        assertEquals(InsnPeek.MOV_SS | 4 << 8, classify(0x8e, 0x54, 0x24, 0x08));              // mov 8(%rsp),%ss
    }

    /**
     * Issue 12 item 3: on hardware the counter's own interrupt delivery pushes the guest's RFLAGS without the step TF;
     * the handler's IRETQ (and any POPF) then clears TF, so the counter re-arms it after both.
     */
    @Test
    void instructionsThatLoadRflags() {
        assertEquals(InsnPeek.IRETQ, classify(0x48, 0xcf));
        assertEquals(InsnPeek.POPF, classify(0x9d));
        assertEquals(InsnPeek.POPF, classify(0x66, 0x9d));
        assertEquals(InsnPeek.OTHER, classify(0xcf)); // 32-bit IRET: not the 64-bit frame
    }

    /** Stop 24: PUSHF stepped on hardware pushes the step TF; the counter clears it on the stack, so it needs the length. */
    @Test
    void pushfWithItsLength() {
        assertEquals(InsnPeek.PUSHF | 1 << 8, classify(0x9c));
        assertEquals(InsnPeek.PUSHF | 2 << 8, classify(0x66, 0x9c));
        assertEquals(InsnPeek.PUSHF | 2 << 8, classify(0x48, 0x9c));
    }

    /** Issue 12 item 3: INT3 / INT n clear TF when they deliver; on hardware the counter carries them out itself. */
    @Test
    void softwareInterruptsWithVectorAndLength() {
        assertEquals(InsnPeek.INT_N | 3 << 8 | 1 << 16, classify(0xcc));
        assertEquals(InsnPeek.INT_N | 0x80 << 8 | 2 << 16, classify(0xcd, 0x80));
        assertEquals(InsnPeek.INT_N | 0x21 << 8 | 3 << 16, classify(0x66, 0xcd, 0x21));
    }

    /** Issue 12 item 3: STI's interrupt shadow held the step trap off on SVM (`sti; hlt` came back as one HLT exit). */
    @Test
    void stiWithItsLength() {
        assertEquals(InsnPeek.STI | 1 << 8, classify(0xfb));
        assertEquals(InsnPeek.STI | 2 << 8, classify(0x3e, 0xfb));
        assertEquals(InsnPeek.HLT, classify(0xf4));
    }

    @Test
    void otherSegmentLoadsAreNotMovSs() {
        assertEquals(InsnPeek.OTHER, classify(0x8e, 0xe0)); // mov %eax,%fs
        assertEquals(InsnPeek.OTHER, classify(0x8e, 0xd8)); // mov %eax,%ds
        assertEquals(InsnPeek.OTHER, classify(0x8c, 0xd0)); // mov %ss,%eax (a read)
    }
}
