package pcm.vmx.internal.kvm;

import static java.lang.foreign.ValueLayout.*;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static pcm.vmx.internal.kvm.KvmLayouts.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;

import org.junit.jupiter.api.Test;

import pcm.core.api.cpu.Segment;
import pcm.core.api.cpu.SpecialRegisters;

/** The heap codec of struct kvm_sregs against the struct read and written field by field through its FFM layout. */
class SregsCodecTest {

    private final Random random = new Random(0x5EC);

    private Segment segment() {
        return new Segment(random.nextLong(), random.nextInt(), random.nextInt(0x10000), random.nextInt(16),
                random.nextBoolean(), random.nextInt(4), random.nextBoolean(), random.nextBoolean(), random.nextBoolean(),
                random.nextBoolean(), random.nextBoolean(), random.nextBoolean());
    }

    private SpecialRegisters registers() {
        return new SpecialRegisters(segment(), segment(), segment(), segment(), segment(), segment(), segment(), segment(),
                new SpecialRegisters.DescriptorTable(random.nextLong(), random.nextInt(0x10000)),
                new SpecialRegisters.DescriptorTable(random.nextLong(), random.nextInt(0x10000)),
                random.nextLong(), random.nextLong(), random.nextLong(), random.nextLong(), random.nextLong(),
                random.nextLong(), random.nextLong());
    }

    @Test
    void decodesWhatTheLayoutWrote() {
        try (Arena arena = Arena.ofConfined()) {
            for (int n = 0; n < 200; n++) {
                SpecialRegisters r = registers();
                MemorySegment m = arena.allocate(KVM_SREGS);
                Segment[] s = {r.cs(), r.ds(), r.es(), r.fs(), r.gs(), r.ss(), r.tr(), r.ldt()};
                for (int i = 0; i < 8; i++) {
                    MemorySegment g = m.asSlice(i * KVM_SEGMENT.byteSize(), KVM_SEGMENT.byteSize());
                    g.set(JAVA_LONG, SEG_BASE, s[i].base());
                    g.set(JAVA_INT, SEG_LIMIT, s[i].limit());
                    g.set(JAVA_SHORT, SEG_SELECTOR, (short) s[i].selector());
                    g.set(JAVA_BYTE, SEG_TYPE, (byte) s[i].type());
                    g.set(JAVA_BYTE, SEG_PRESENT, (byte) (s[i].present() ? 1 : 0));
                    g.set(JAVA_BYTE, SEG_DPL, (byte) s[i].dpl());
                    g.set(JAVA_BYTE, SEG_DB, (byte) (s[i].db() ? 1 : 0));
                    g.set(JAVA_BYTE, SEG_S, (byte) (s[i].s() ? 1 : 0));
                    g.set(JAVA_BYTE, SEG_L, (byte) (s[i].l() ? 1 : 0));
                    g.set(JAVA_BYTE, SEG_G, (byte) (s[i].g() ? 1 : 0));
                    g.set(JAVA_BYTE, SEG_AVL, (byte) (s[i].avl() ? 1 : 0));
                    g.set(JAVA_BYTE, SEG_UNUSABLE, (byte) (s[i].unusable() ? 1 : 0));
                }
                m.set(JAVA_LONG, SREGS_GDT + DT_BASE, r.gdt().base());
                m.set(JAVA_SHORT, SREGS_GDT + DT_LIMIT, (short) r.gdt().limit());
                m.set(JAVA_LONG, SREGS_IDT + DT_BASE, r.idt().base());
                m.set(JAVA_SHORT, SREGS_IDT + DT_LIMIT, (short) r.idt().limit());
                m.set(JAVA_LONG, SREGS_CR0, r.cr0());
                m.set(JAVA_LONG, SREGS_CR2, r.cr2());
                m.set(JAVA_LONG, SREGS_CR3, r.cr3());
                m.set(JAVA_LONG, SREGS_CR4, r.cr4());
                m.set(JAVA_LONG, SREGS_CR8, r.cr8());
                m.set(JAVA_LONG, SREGS_EFER, r.efer());
                m.set(JAVA_LONG, SREGS_APIC_BASE, r.apicBase());
                assertEquals(r, SregsCodec.decode(m.toArray(JAVA_BYTE)));
            }
        }
    }

    @Test
    void encodesOnlyTheRegistersAndKeepsTheInterruptBitmap() {
        for (int n = 0; n < 200; n++) {
            byte[] b = new byte[SregsCodec.SIZE];
            random.nextBytes(b); // padding and the interrupt bitmap: what KVM_GET_SREGS returned
            byte[] before = b.clone();
            SpecialRegisters r = registers();
            SregsCodec.encode(r, r.tr(), b);
            assertEquals(r, SregsCodec.decode(b));
            int bitmap = (int) (SREGS_APIC_BASE + 8);
            assertArrayEquals(java.util.Arrays.copyOfRange(before, bitmap, b.length),
                    java.util.Arrays.copyOfRange(b, bitmap, b.length));
        }
    }
}
