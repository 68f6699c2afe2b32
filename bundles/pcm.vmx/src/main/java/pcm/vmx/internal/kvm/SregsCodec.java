package pcm.vmx.internal.kvm;

import static pcm.vmx.internal.kvm.KvmLayouts.*;

import pcm.core.api.cpu.Segment;
import pcm.core.api.cpu.SpecialRegisters;

/**
 * struct kvm_sregs to and from {@link SpecialRegisters} through a heap copy: the caller moves the whole struct between
 * native memory and a {@code byte[]} in one bulk copy, and the fields are read and written here with plain array code.
 * The position counter reads the special registers before every single-stepped instruction; field by field through
 * FFM that was ~100 checked segment accesses per step, the vCPU thread's busiest code where the JIT stops at C1 (the
 * emulated SVM host, issue 12: ~1 ms per step there).
 */
final class SregsCodec {

    static final int SIZE = (int) KVM_SREGS.byteSize();
    private static final int SEGMENT = (int) KVM_SEGMENT.byteSize();

    private SregsCodec() {}

    static SpecialRegisters decode(byte[] b) {
        Segment[] s = new Segment[8];
        for (int i = 0; i < 8; i++) s[i] = segment(b, i * SEGMENT);
        return new SpecialRegisters(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7],
                new SpecialRegisters.DescriptorTable(i64(b, SREGS_GDT + DT_BASE), i16(b, SREGS_GDT + DT_LIMIT)),
                new SpecialRegisters.DescriptorTable(i64(b, SREGS_IDT + DT_BASE), i16(b, SREGS_IDT + DT_LIMIT)),
                i64(b, SREGS_CR0), i64(b, SREGS_CR2), i64(b, SREGS_CR3), i64(b, SREGS_CR4), i64(b, SREGS_CR8),
                i64(b, SREGS_EFER), i64(b, SREGS_APIC_BASE));
    }

    /** Writes the registers over {@code b}, leaving the rest of the struct (the interrupt bitmap) as it is. */
    static void encode(SpecialRegisters r, Segment tr, byte[] b) {
        Segment[] s = {r.cs(), r.ds(), r.es(), r.fs(), r.gs(), r.ss(), tr, r.ldt()};
        for (int i = 0; i < 8; i++) putSegment(b, i * SEGMENT, s[i]);
        put64(b, SREGS_GDT + DT_BASE, r.gdt().base());
        put16(b, SREGS_GDT + DT_LIMIT, r.gdt().limit());
        put64(b, SREGS_IDT + DT_BASE, r.idt().base());
        put16(b, SREGS_IDT + DT_LIMIT, r.idt().limit());
        put64(b, SREGS_CR0, r.cr0());
        put64(b, SREGS_CR2, r.cr2());
        put64(b, SREGS_CR3, r.cr3());
        put64(b, SREGS_CR4, r.cr4());
        put64(b, SREGS_CR8, r.cr8());
        put64(b, SREGS_EFER, r.efer());
        put64(b, SREGS_APIC_BASE, r.apicBase());
    }

    private static Segment segment(byte[] b, int o) {
        return new Segment(i64(b, o + SEG_BASE), (int) i32(b, o + SEG_LIMIT), i16(b, o + SEG_SELECTOR),
                u8(b, o + SEG_TYPE), u8(b, o + SEG_PRESENT) != 0, u8(b, o + SEG_DPL), u8(b, o + SEG_DB) != 0,
                u8(b, o + SEG_S) != 0, u8(b, o + SEG_L) != 0, u8(b, o + SEG_G) != 0, u8(b, o + SEG_AVL) != 0,
                u8(b, o + SEG_UNUSABLE) != 0);
    }

    private static void putSegment(byte[] b, int o, Segment s) {
        java.util.Arrays.fill(b, o, o + SEGMENT, (byte) 0);
        put64(b, o + SEG_BASE, s.base());
        put32(b, o + SEG_LIMIT, s.limit());
        put16(b, o + SEG_SELECTOR, s.selector());
        b[(int) (o + SEG_TYPE)] = (byte) s.type();
        b[(int) (o + SEG_PRESENT)] = (byte) (s.present() ? 1 : 0);
        b[(int) (o + SEG_DPL)] = (byte) s.dpl();
        b[(int) (o + SEG_DB)] = (byte) (s.db() ? 1 : 0);
        b[(int) (o + SEG_S)] = (byte) (s.s() ? 1 : 0);
        b[(int) (o + SEG_L)] = (byte) (s.l() ? 1 : 0);
        b[(int) (o + SEG_G)] = (byte) (s.g() ? 1 : 0);
        b[(int) (o + SEG_AVL)] = (byte) (s.avl() ? 1 : 0);
        b[(int) (o + SEG_UNUSABLE)] = (byte) (s.unusable() ? 1 : 0);
    }

    private static int u8(byte[] b, long o) {
        return b[(int) o] & 0xFF;
    }

    private static int i16(byte[] b, long o) {
        return u8(b, o) | u8(b, o + 1) << 8;
    }

    private static long i32(byte[] b, long o) {
        return (i16(b, o) | (long) i16(b, o + 2) << 16) & 0xFFFF_FFFFL;
    }

    private static long i64(byte[] b, long o) {
        return i32(b, o) | i32(b, o + 4) << 32;
    }

    private static void put16(byte[] b, long o, int v) {
        b[(int) o] = (byte) v;
        b[(int) o + 1] = (byte) (v >>> 8);
    }

    private static void put32(byte[] b, long o, long v) {
        put16(b, o, (int) v);
        put16(b, o + 2, (int) (v >>> 16));
    }

    private static void put64(byte[] b, long o, long v) {
        put32(b, o, v);
        put32(b, o + 4, v >>> 32);
    }
}
