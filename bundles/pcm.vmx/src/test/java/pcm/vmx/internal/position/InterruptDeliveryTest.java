package pcm.vmx.internal.position;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import pcm.core.api.cpu.Registers;
import pcm.core.api.cpu.Segment;
import pcm.core.api.cpu.SpecialRegisters;
import pcm.vmx.internal.replay.SegmentMemory;

/**
 * Issue 12 item 3, cause 3: on SVM/VMX the step counter delivers the VMM's interrupts itself (an injected event
 * clears the single-step TF, and the handler ran unstepped). The expected states are the SDM's (vol. 3A §6.14,
 * "Exception and Interrupt Handling in 64-bit Mode") worked out by hand, and the same as the soft CPU's
 * {@code CpuBase.deliver}: privilege change through TSS.RSP0, IST, 16-byte alignment, the frame, the flags cleared,
 * the null SS with the new CPL; and every case where the processor would raise an exception instead is refused.
 */
class InterruptDeliveryTest {

    private static final long GDT = 0x1000, IDT = 0x2000, TSS = 0x3000;
    private static final int KCODE = 0x08, KDATA = 0x10, UCODE = 0x1B, UDATA = 0x23;
    private static final long HANDLER = 0xFFFF_FFFF_8100_1234L;

    private MemorySegment ram;
    private InterruptDelivery delivery;

    @BeforeEach
    void machine() {
        ram = Arena.ofAuto().allocate(1 << 20, 4096);
        put(GDT + 0x08, 0x00AF_9A00_0000_FFFFL); // kernel code 64, DPL0
        put(GDT + 0x10, 0x00CF_9200_0000_FFFFL); // kernel data
        put(GDT + 0x18, 0x00AF_FA00_0000_FFFFL); // user code 64, DPL3
        put(GDT + 0x20, 0x00CF_F200_0000_FFFFL); // user data
        gate(0x20, 0xE, KCODE, 0, true);         // interrupt gate
        gate(0x21, 0xF, KCODE, 0, true);         // trap gate
        gate(0x22, 0xE, KCODE, 1, true);         // interrupt gate on IST1
        gate(0x23, 0xE, KCODE, 0, false);        // not present
        gate(0x24, 0xC, KCODE, 0, true);         // call gate: not allowed in the IDT
        gate(0x25, 0xE, KDATA, 0, true);         // data segment as target
        put(TSS + 4, 0x9008);                    // RSP0, not 16-aligned on purpose
        put(TSS + 0x24, 0xA000);                 // IST1
        delivery = new InterruptDelivery(new GuestLinear(new SegmentMemory(ram)));
    }

    private void put(long at, long v) {
        ram.set(ValueLayout.JAVA_LONG_UNALIGNED, at, v);
    }

    private long get(long at) {
        return ram.get(ValueLayout.JAVA_LONG_UNALIGNED, at);
    }

    private void gate(int vector, int type, int sel, int ist, boolean present) {
        long lo = (HANDLER & 0xFFFF) | (long) sel << 16 | (long) ist << 32 | (long) type << 40
                | (present ? 1L << 47 : 0) | (HANDLER & 0xFFFF_0000L) << 32;
        put(IDT + vector * 16L, lo);
        put(IDT + vector * 16L + 8, HANDLER >>> 32);
    }

    private static Segment code(int sel, int dpl) {
        return new Segment(0, 0xFFFFFFFF, sel, 0xA, true, dpl, false, true, true, true, false, false);
    }

    private static SpecialRegisters sregs(int cpl, int idtLimit) {
        Segment cs = code(cpl == 3 ? UCODE : KCODE, cpl);
        Segment ss = Segment.data(cpl == 3 ? UDATA : KDATA, cpl);
        Segment tr = new Segment(TSS, 0x67, 0x28, 0xB, true, 0, false, false, false, false, false, false);
        return new SpecialRegisters(cs, ss, ss, ss, ss, ss, tr, Segment.unusableSegment(),
                new SpecialRegisters.DescriptorTable(GDT, 0x27), new SpecialRegisters.DescriptorTable(IDT, idtLimit),
                0x11, 0, 0, 0x20, 0, 0x500, 0xFEE0_0900L); // PE|ET, PG off (identity), PAE, EFER LME|LMA
    }

    private static Registers regs(long rip, long rsp, long rflags) {
        long[] a = Registers.ZERO.toArray();
        a[0] = 0x1111;
        a[6] = rsp;
        a[16] = rip;
        a[17] = rflags;
        return Registers.fromArray(a);
    }

    @Test
    void fromUserModeSwitchesToRsp0AndClearsIf() throws Exception {
        long flags = 0x4246 | 0x200 | 0x10000; // NT, ZF, PF, IF, RF
        var d = delivery.deliver(0x20, regs(0x401000, 0x7FF0_0008L, flags), sregs(3, 0xFFF));
        long frame = 0x9000 - 40;
        assertEquals(frame, d.frameLinear());
        assertEquals(frame, d.regs().rsp());
        assertEquals(HANDLER, d.regs().rip());
        assertEquals(0x1111, d.regs().rax());
        assertEquals(flags & ~(0x4000L | 0x10000 | 0x200), d.regs().rflags(), "NT, RF and IF cleared");
        assertEquals(0x401000, get(frame));
        assertEquals(UCODE, get(frame + 8));
        assertEquals(flags, get(frame + 16), "the frame holds the guest's RFLAGS as they were");
        assertEquals(0x7FF0_0008L, get(frame + 24));
        assertEquals(UDATA, get(frame + 32));
        Segment cs = d.sregs().cs();
        assertEquals(KCODE, cs.selector());
        assertEquals(0, cs.dpl());
        assertTrue(cs.l() && cs.present() && cs.s() && !cs.db());
        assertEquals(0xA, cs.type(), "the descriptor's type as in memory (no accessed bit written)");
        assertEquals(0xFFFFFFFF, cs.limit());
        Segment ss = d.sregs().ss();
        assertEquals(0, ss.selector(), "null SS with RPL = new CPL");
        assertEquals(0, ss.dpl());
        assertTrue(ss.unusable());
        assertEquals(0x9A, get(GDT + 0x08) >>> 40 & 0xFF, "GDT untouched (no accessed bit)");
    }

    @Test
    void samePrivilegeKeepsStackAndSsAndTrapGateKeepsIf() throws Exception {
        var s = sregs(0, 0xFFF);
        var d = delivery.deliver(0x21, regs(0xFFFF_FFFF_8100_0000L, 0x8F18, 0x202), s);
        assertEquals(0x8F10 - 40, d.regs().rsp(), "RSP aligned down to 16 before the pushes");
        assertEquals(0x202, d.regs().rflags(), "a trap gate leaves IF set");
        assertEquals(s.ss(), d.sregs().ss());
        assertEquals(0x8F18, get(0x8F10 - 16));
        assertEquals(KDATA, get(0x8F10 - 8));
    }

    @Test
    void istWinsEvenWithoutPrivilegeChange() throws Exception {
        var d = delivery.deliver(0x22, regs(0x1000, 0x8000, 0x202), sregs(0, 0xFFF));
        assertEquals(0xA000 - 40, d.regs().rsp());
        assertFalse((d.regs().rflags() & 0x200) != 0);
    }

    /** INT3 from user mode (the embedded guest's exit call): gate DPL 3 needed, IF irrelevant, next RIP and RF=0 pushed. */
    @Test
    void softwareInterruptFromUserMode() throws Exception {
        gate(0x03, 0xE, KCODE, 0, true);
        long lo = get(IDT + 0x03 * 16L);
        var r = regs(0x401000, 0x7FF0_0000L, 0x10002); // RF set, IF clear
        var e = assertThrows(InterruptDelivery.Refused.class, () -> delivery.deliver(3, r, sregs(3, 0xFFF), true, 0x401001));
        assertTrue(e.getMessage().contains("gate DPL 0 is below CPL 3"), e.getMessage());
        put(IDT + 0x03 * 16L, lo | 3L << 45); // DPL 3, as an OS sets it for int3
        var d = delivery.deliver(3, r, sregs(3, 0xFFF), true, 0x401001);
        long frame = 0x9000 - 40;
        assertEquals(0x401001, get(frame), "the return address is the next instruction");
        assertEquals(0x2, get(frame + 16), "RF = 0 in the pushed image: the instruction completed");
        assertEquals(HANDLER, d.regs().rip());
        assertEquals(0, d.sregs().cs().dpl());
    }

    @Test
    void refusesWhatTheProcessorWouldFault() {
        assertRefused("not present", 0x23, regs(0x1000, 0x8000, 0x202), sregs(0, 0xFFF));
        assertRefused("not a 64-bit interrupt or trap gate", 0x24, regs(0x1000, 0x8000, 0x202), sregs(0, 0xFFF));
        assertRefused("not a 64-bit code segment", 0x25, regs(0x1000, 0x8000, 0x202), sregs(0, 0xFFF));
        assertRefused("beyond the IDT limit", 0x20, regs(0x1000, 0x8000, 0x202), sregs(0, 0x20 * 16 + 14));
        assertRefused("IF is clear", 0x20, regs(0x1000, 0x8000, 0x002), sregs(0, 0xFFF));
        put(TSS + 4, 0x20_0000); // RSP0 beyond the 1 MiB of RAM
        assertRefused("not mapped", 0x20, regs(0x1000, 0x8000, 0x202), sregs(3, 0xFFF));
        put(TSS + 4, 0x8000_0000_0000L);
        assertRefused("not canonical", 0x20, regs(0x1000, 0x8000, 0x202), sregs(3, 0xFFF));
    }

    private void assertRefused(String why, int vector, Registers r, SpecialRegisters s) {
        var e = assertThrows(InterruptDelivery.Refused.class, () -> delivery.deliver(vector, r, s));
        assertTrue(e.getMessage().contains(why), e.getMessage());
    }
}
