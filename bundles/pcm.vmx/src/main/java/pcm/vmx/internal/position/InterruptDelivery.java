package pcm.vmx.internal.position;

import pcm.core.api.cpu.Registers;
import pcm.core.api.cpu.Segment;
import pcm.core.api.cpu.SpecialRegisters;

/**
 * Delivers an external interrupt through the guest's 64-bit IDT the way the processor does (Intel SDM vol. 3A §6.12
 * and §6.14 "Exception and Interrupt Handling in 64-bit Mode"; AMD APM vol. 2 §8.9 "Long-Mode Interrupt Control
 * Transfers"), computing the state after it and writing the frame into guest memory.
 *
 * <p>Why the counter does this itself on hardware (SVM, VMX) hosts: KVM single-steps with the trap flag, and an event
 * injected on VM entry clears TF as every delivery does, so the handler ran unstepped up to its first exit (issue 12
 * item 3, cause 3: `push; incq; mov; out` of the IRQ stub counted as one). Delivering in software between two steps
 * keeps TF armed for the handler's first instruction, and the delivery itself counts nothing, as on the soft CPU.
 *
 * <p>Only what an external interrupt needs: a present 64-bit interrupt or trap gate (gate DPL is not checked for
 * hardware interrupts), a present 64-bit code segment of DPL &le; CPL, the stack from the TSS (RSP[DPL] on a
 * privilege change, IST when the gate names one), aligned to 16. Anything the processor would answer with an
 * exception (#GP, #NP, #SS, #TS, #PF, leading to #DF) is refused with the reason: the counter cannot count that
 * delivery and says so instead of guessing.
 */
final class InterruptDelivery {

    private static final long TF = 1L << 8, IF = 1L << 9, NT = 1L << 14, RF = 1L << 16, VM = 1L << 17;

    /** The state after delivery; the frame is already in guest memory. */
    record Delivered(Registers regs, SpecialRegisters sregs, long frameLinear) {}

    /** The processor would raise an exception instead of (or while) delivering: not counted in software. */
    static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message);
        }
    }

    private final GuestLinear mem;

    InterruptDelivery(GuestLinear mem) {
        this.mem = mem;
    }

    /**
     * Delivers {@code vector} at the current instruction boundary. {@code r.rflags()} must be the guest's own RFLAGS
     * (KVM_GET_REGS hides its single-step TF), which is what the frame holds.
     */
    Delivered deliver(int vector, Registers r, SpecialRegisters s) throws Refused {
        return deliver(vector, r, s, false, r.rip());
    }

    /**
     * INT3 / INT n ({@code soft}): the gate's DPL must allow the current CPL (else #GP), IF does not matter, the frame
     * holds {@code returnRip} (the next instruction) and RF = 0, as the instruction completed (SDM vol. 3A §6.12.1.1,
     * §18.3.1.1).
     */
    Delivered deliver(int vector, Registers r, SpecialRegisters s, boolean soft, long returnRip) throws Refused {
        if ((s.efer() & (1L << 10)) == 0 || !s.cs().l()) {
            throw new Refused("the guest is not in 64-bit mode (EFER 0x" + Long.toHexString(s.efer()) + ")");
        }
        if (!soft && (r.rflags() & IF) == 0) {
            throw new Refused("RFLAGS.IF is clear");
        }
        int cpl = s.cs().dpl();
        if (vector * 16L + 15 > (s.idt().limit() & 0xFFFFL)) {
            throw new Refused(String.format("vector 0x%x is beyond the IDT limit 0x%x", vector, s.idt().limit()));
        }
        long gateLa = s.idt().base() + vector * 16L;
        long lo = read64(s, gateLa, "IDT gate");
        long hi = read64(s, gateLa + 8, "IDT gate");
        int type = (int) (lo >>> 40) & 0xF;
        if (type != 0xE && type != 0xF) {
            throw new Refused(String.format("IDT[0x%x] is not a 64-bit interrupt or trap gate (%016x %016x)", vector, hi, lo));
        }
        if (soft && ((lo >>> 45) & 3) < cpl) {
            throw new Refused(String.format("IDT[0x%x] gate DPL %d is below CPL %d (INT n raises #GP)", vector, (lo >>> 45) & 3, cpl));
        }
        if ((lo >>> 47 & 1) == 0) {
            throw new Refused(String.format("IDT[0x%x] is not present", vector));
        }
        int sel = (int) (lo >>> 16) & 0xFFFF;
        long target = (lo & 0xFFFF) | ((lo >>> 32) & 0xFFFF_0000L) | (hi << 32);
        int ist = (int) (lo >>> 32) & 7;
        if ((sel & 0xFFFC) == 0) {
            throw new Refused(String.format("IDT[0x%x] names the null selector", vector));
        }
        long d = descriptor(s, sel);
        boolean code = (d >>> 43 & 3) == 3; // S=1 and executable
        boolean longMode = (d >>> 53 & 1) != 0 && (d >>> 54 & 1) == 0;
        if (!code || !longMode) {
            throw new Refused(String.format("IDT[0x%x] selector 0x%x is not a 64-bit code segment (%016x)", vector, sel, d));
        }
        if ((d >>> 47 & 1) == 0) {
            throw new Refused(String.format("IDT[0x%x] selector 0x%x is not present", vector, sel));
        }
        int dpl = (d >>> 42 & 1) != 0 ? cpl : (int) (d >>> 45) & 3; // conforming: CPL stays
        if (dpl > cpl) {
            throw new Refused(String.format("IDT[0x%x] code segment DPL %d above CPL %d", vector, dpl, cpl));
        }
        long sp = r.rsp();
        if (dpl < cpl) {
            sp = tss64(s, 4 + dpl * 8, "RSP" + dpl);
        }
        if (ist != 0) {
            sp = tss64(s, 0x24 + (ist - 1) * 8, "IST" + ist);
        }
        sp &= ~0xFL;
        long frame = sp - 40;
        if (!canonical(sp) || !canonical(frame)) {
            throw new Refused("the interrupt stack 0x" + Long.toHexString(sp) + " is not canonical");
        }
        byte[] f = new byte[40];
        put64(f, 0, returnRip);
        put64(f, 8, s.cs().selector());
        put64(f, 16, soft ? r.rflags() & ~RF : r.rflags());
        put64(f, 24, r.rsp());
        put64(f, 32, s.ss().selector());
        if (mem.read(s.cr0(), s.cr3(), s.cr4(), frame, new byte[40], 40) != 40) { // the processor would #PF or #SS
            throw new Refused("the interrupt frame at 0x" + Long.toHexString(frame) + " is not mapped to guest RAM");
        }
        mem.write(s.cr0(), s.cr3(), s.cr4(), frame, f);

        long flags = r.rflags() & ~(TF | NT | RF | VM);
        if (type == 0xE) {
            flags &= ~IF;
        }
        Segment cs = codeSegment(d, (sel & 0xFFFC) | dpl, dpl);
        // On a privilege change SS becomes the null selector with RPL = new CPL (SDM vol. 3A §6.14.4); its cache is
        // unusable but carries the DPL, from which SVM and VMX take the CPL.
        Segment ss = dpl != cpl
                ? new Segment(0, 0, dpl, 0, false, dpl, false, false, false, false, false, true)
                : s.ss();
        long[] a = r.toArray();
        a[6] = frame;
        a[16] = target;
        a[17] = flags;
        return new Delivered(Registers.fromArray(a), new SpecialRegisters(cs, s.ds(), s.es(), s.fs(), s.gs(), ss,
                s.tr(), s.ldt(), s.gdt(), s.idt(), s.cr0(), s.cr2(), s.cr3(), s.cr4(), s.cr8(), s.efer(), s.apicBase()),
                frame);
    }

    /** The hidden part of CS as the processor loads it from descriptor {@code d} (base ignored in 64-bit mode). */
    static Segment codeSegment(long d, int selector, int dpl) {
        int limit = (int) ((d & 0xFFFF) | ((d >>> 32) & 0xF_0000L));
        boolean g = (d >>> 55 & 1) != 0;
        if (g) {
            limit = (limit << 12) | 0xFFF;
        }
        return new Segment(0, limit, selector, (int) (d >>> 40) & 0xF, true, dpl,
                (d >>> 54 & 1) != 0, true, (d >>> 53 & 1) != 0, g, (d >>> 52 & 1) != 0, false);
    }

    private long descriptor(SpecialRegisters s, int sel) throws Refused {
        long base;
        long limit;
        if ((sel & 4) != 0) {
            if (s.ldt().unusable() || !s.ldt().present()) {
                throw new Refused(String.format("selector 0x%x names the LDT, which is not loaded", sel));
            }
            base = s.ldt().base();
            limit = s.ldt().limit() & 0xFFFF_FFFFL;
        } else {
            base = s.gdt().base();
            limit = s.gdt().limit() & 0xFFFFL;
        }
        if ((sel & ~7) + 7 > limit) {
            throw new Refused(String.format("selector 0x%x is beyond its descriptor table limit 0x%x", sel, limit));
        }
        return read64(s, base + (sel & ~7), "code segment descriptor");
    }

    private long tss64(SpecialRegisters s, int off, String what) throws Refused {
        Segment tr = s.tr();
        if (!tr.present() || (tr.limit() & 0xFFFF_FFFFL) < off + 7) {
            throw new Refused("the TSS (TR base 0x" + Long.toHexString(tr.base()) + " limit 0x"
                    + Integer.toHexString(tr.limit()) + ") has no " + what);
        }
        return read64(s, tr.base() + off, "TSS " + what);
    }

    private long read64(SpecialRegisters s, long la, String what) throws Refused {
        byte[] b = new byte[8];
        if (mem.read(s.cr0(), s.cr3(), s.cr4(), la, b, 8) != 8) {
            throw new Refused(what + " at linear 0x" + Long.toHexString(la) + " is not mapped to guest RAM");
        }
        return GuestLinear.le(b, 0);
    }

    private static boolean canonical(long la) {
        return (la << 16 >> 16) == la;
    }

    private static void put64(byte[] b, int off, long v) {
        for (int i = 0; i < 8; i++) {
            b[off + i] = (byte) (v >>> (8 * i));
        }
    }
}
