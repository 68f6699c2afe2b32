package pcm.vmx.internal.position;

import java.util.function.IntFunction;

import pcm.core.api.cpu.BackendException;
import pcm.core.api.cpu.HostInfo;
import pcm.core.api.cpu.Registers;
import pcm.core.api.cpu.Segment;
import pcm.core.api.cpu.SpecialRegisters;
import pcm.core.api.event.EventKind;
import pcm.core.api.memory.GuestMemory;
import pcm.core.api.sampling.InputObserver;
import pcm.core.api.sampling.PositionCounter;
import pcm.core.api.vm.VmExit;
import pcm.vmx.internal.kvm.KvmVcpu;
import pcm.vmx.internal.kvm.VcpuEvents;

/**
 * Counts retired instructions by stepping one instruction per KVM_RUN (docs/positions-on-kvm.md).
 * <ul>
 * <li>Hardware hosts, and CPL0 code on PVM: KVM_GUESTDBG_SINGLESTEP gives one KVM_EXIT_DEBUG per instruction.
 * <li>CPL3 code on PVM: the instruction runs natively and KVM injects the trap-flag #DB into the guest. A
 * hardware breakpoint (guest debug DR0) on the first byte of the guest's #DB handler stops the vCPU before
 * the handler runs; the counter then undoes the delivery from the frame (RIP, RFLAGS without TF, RSP) and
 * the CS/SS captured before the step, restores the frame bytes and DR6, and re-arms single-step (KVM sets TF
 * again only through KVM_SET_GUEST_DEBUG at the current RIP).
 * </ul>
 * Before each step the instruction at RIP is classified ({@link InsnPeek}) so that inputs that do not exit
 * are reported to the {@link InputObserver}, a REP string instruction counts once (when RIP moves past it),
 * and a stepped HLT returns {@link VmExit.Hlt}.
 * <p>
 * Position convention: while an exit returned by {@link #run()} is being handled, {@link #position()} is the
 * number of instructions retired before the exiting instruction; it counts when it retires.
 */
public final class StepCounter implements PositionCounter {

    private static final long TF = 0x100, IF = 0x200, NT = 0x4000, RF = 0x10000;
    private static final int DBG_ENABLE = 0x1, DBG_SINGLESTEP = 0x2, DBG_USE_HW_BP = 0x20000;
    private static final VmExit.Interrupted TARGET_REACHED = new VmExit.Interrupted();

    /** Diagnostic step trace (system property pcm.kvmstep.trace = a directory), off by default. */
    private static final String TRACE_DIR = System.getProperty("pcm.kvmstep.trace");
    /** Guards every {@link #tr} call: with tracing off, the per-step path builds no varargs arrays nor boxes. */
    private static final boolean TRACING = TRACE_DIR != null;
    private final StringBuilder trace = TRACING ? new StringBuilder() : null;

    private void tr(String fmt, Object... a) {
        if (TRACING) {
            trace.append(position).append(' ').append(String.format(fmt, a)).append('\n');
        }
    }

    private final KvmVcpu cpu;
    private final GuestLinear mem;
    private final InputObserver observer;
    private final boolean pvm;
    private final byte[] insn = new byte[15];

    private long position;
    private boolean closed;
    /** RIP of the instruction that caused the last returned exit (IO, MMIO), -1 if none is pending. */
    private long exitRip = -1;
    /** Current guest-debug control and DR0 (to skip redundant KVM_SET_GUEST_DEBUG on CPL0). */
    private int debugControl = -1;
    /** Steps left that re-issue KVM_SET_GUEST_DEBUG even when unchanged (see {@link #runUntil}). */
    private int rearm;
    private long debugDr0;
    /** The debug registers last given with DBG_USE_HW_BP on hardware hosts (the exception watch), null if none. */
    private long[] debugRegs;
    /** Breakpoints on the exception and SYSCALL entries a stepped instruction reaches without a step trap. */
    private final ExceptionWatch watch = new ExceptionWatch();
    /** Guest debug registers saved before CPL3 stepping (DR6 gets BS from each injected #DB). */
    private long[] guestDr;

    private long userSteps;
    /** The state the counter itself just set (after an undo), so the next step need not read it back. */
    private Registers knownRegs;
    private SpecialRegisters knownSregs;

    public StepCounter(KvmVcpu cpu, GuestMemory memory, InputObserver observer) throws BackendException {
        this.cpu = cpu;
        this.mem = new GuestLinear(memory);
        this.observer = observer;
        this.pvm = cpu.hostKind() == HostInfo.Kind.PVM;
        // An IN or MMIO read the VMM completed is finished by KVM on the next KVM_RUN. Finish it now, before
        // position 0 (and before the caller's initial snapshot), without running the guest further.
        cpu.refreshRunState();
        cpu.setSingleStep(true);
        debugControl = DBG_ENABLE | DBG_SINGLESTEP;
        if (pvm) {
            delivery = null;
            deliverPendingInterrupt();
        } else {
            delivery = new InterruptDelivery(mem);
            takeOverPendingInterrupt();
            cpu.interceptInterrupts(this::queueForSoftwareDelivery);
        }
        if (TRACING) {
            tr("start rip %x cpl %d", cpu.registers().rip(), cpu.specialRegisters().cs().dpl());
        }
    }

    /**
     * An interrupt the VMM injected before the counter started (KVM_INTERRUPT, then a KVM_RUN that a kick ended
     * before KVM entered the guest) is still queued in KVM: the first step would deliver it, and the window's
     * log, opened after the injection, would hold no INTERRUPT for it (the replay would run on in the
     * interrupted code). Deliver it now, before position 0 and before the caller's initial snapshot: step until
     * KVM no longer holds it (the handler's first instruction runs with it, outside the window).
     */
    private void deliverPendingInterrupt() throws BackendException {
        if (!cpu.vcpuEvents().interruptInjected()) {
            return;
        }
        silent = true;
        deliveringVector = cpu.vcpuEvents().interruptNr();
        cpu.takeInjectedVector();
        boolean windowExit = false;
        try {
            for (int i = 0; cpu.vcpuEvents().interruptInjected(); i++) {
                if (i >= MAX_REDO) {
                    throw new StepException(StepException.Reason.FRAME_MISMATCH,
                            "an interrupt queued before the counter started was not delivered after " + MAX_REDO + " KVM_RUNs");
                }
                forgetState();
                VmExit e = step();
                if (e instanceof VmExit.InterruptWindow) {
                    windowExit = true;
                } else if (e != null && !(e instanceof VmExit.Interrupted)) {
                    throw new StepException(StepException.Reason.FRAME_MISMATCH,
                            "delivering an interrupt queued before the counter started ended in " + e);
                }
            }
        } finally {
            silent = false;
            restoreGuestDr();
        }
        if (windowExit) {
            cpu.requestInterruptWindow(true); // the re-run dropped the VMM's request: make it again
        }
        cpu.refreshRunState();
        preDelivered++;
        position = 0;
        exitRip = -1;
        forgetState();
    }

    /** Hardware hosts: interrupts are delivered by {@link #deliverInSoftware} (null on PVM). */
    private final InterruptDelivery delivery;
    private long softDelivered;

    /**
     * Hardware hosts (SVM, VMX): an event KVM injects on VM entry clears the single-step TF, so the handler would run
     * unstepped up to its first exit (issue 12 item 3, cause 3). The counter delivers the VMM's interrupts itself,
     * between two steps: at the current position, counting nothing, the handler's first instruction stepped next.
     */
    private void deliverInSoftware(int vector) throws BackendException {
        // The caller has finished a pending IN/MMIO read (refreshRunState): KVM writes RAX and moves RIP past the
        // instruction on the next KVM_RUN, before a KVM_INTERRUPT's delivery; otherwise the frame would hold the IN's
        // own RIP and KVM would then advance the handler's RIP instead.
        Registers r = cpu.registers();
        SpecialRegisters s = cpu.specialRegisters();
        InterruptDelivery.Delivered d;
        try {
            d = delivery.deliver(vector, r, s);
        } catch (InterruptDelivery.Refused e) {
            throw new StepException(StepException.Reason.DELIVERY, String.format(
                    "interrupt vector 0x%x at rip 0x%x cannot be delivered between two steps: %s", vector, r.rip(), e.getMessage()));
        }
        apply(d);
        softDelivered++;
        if (TRACING) {
            tr("soft delivery vector %x rip %x -> %x frame %x", vector, r.rip(), d.regs().rip(), d.frameLinear());
        }
    }

    /**
     * Hardware: INT3 / INT n delivers through the IDT, which clears TF, so a stepped INT3 ran its handler unstepped up
     * to the handler's first exit (the embedded guest's exit call, `int3` at CPL3, counted with the handler's sti; hlt
     * as one: the emulated SVM host's windows DIVERGED there). The counter carries the instruction out itself: one
     * position, the handler's first instruction stepped next.
     */
    private VmExit stepSoftwareInterrupt(int kind, Registers r, SpecialRegisters s) throws BackendException {
        int vector = kind >>> 8 & 0xFF, length = kind >>> 16 & 0xF;
        InterruptDelivery.Delivered d;
        try {
            d = delivery.deliver(vector, r, s, true, r.rip() + length);
        } catch (InterruptDelivery.Refused e) {
            throw new StepException(StepException.Reason.DELIVERY, String.format(
                    "INT 0x%x at rip 0x%x cannot be carried out between two steps: %s", vector, r.rip(), e.getMessage()));
        }
        apply(d);
        if (TRACING) {
            tr("soft INT %x rip %x -> %x frame %x", vector, r.rip(), d.regs().rip(), d.frameLinear());
        }
        retire(kind, r, d.regs());
        return null;
    }

    /** Puts the state after a delivery the counter carried out into the vCPU. */
    private void apply(InterruptDelivery.Delivered d) throws BackendException {
        cpu.setRegisters(d.regs());
        cpu.setSpecialRegisters(d.sregs());
        // KVM keeps the step TF only at the RIP of the last KVM_SET_GUEST_DEBUG: arm it at the handler.
        forceDebug(DBG_ENABLE | DBG_SINGLESTEP, 0);
        cpu.refreshRunState(); // an interrupt gate cleared IF: the VMM must not inject a second one here
        knownRegs = null;
        knownSregs = null;
    }

    /** A vector the VMM injected that the counter delivers when the guest runs next (-1: none). */
    private int queuedVector = -1;

    /**
     * KVM_INTERRUPT semantics: the VMM injects (and logs the INTERRUPT with the registers as they are), the delivery
     * happens when the guest runs next ({@link #runUntil}), after KVM has finished a pending IN/MMIO read.
     */
    private void queueForSoftwareDelivery(int vector) throws BackendException {
        if (queuedVector >= 0) {
            throw new StepException(StepException.Reason.DELIVERY, String.format(
                    "interrupt vector 0x%x injected while vector 0x%x is still queued", vector, queuedVector));
        }
        queuedVector = vector;
    }

    private void deliverQueued() throws BackendException {
        if (queuedVector >= 0) {
            int v = queuedVector;
            queuedVector = -1;
            deliverInSoftware(v);
        }
    }

    /** Interrupts delivered by the counter itself (hardware hosts; diagnostics and tests). */
    long softDelivered() {
        return softDelivered;
    }

    /**
     * Hardware hosts: an interrupt the VMM queued in KVM before the counter started would be delivered by the first
     * step, with the handler unstepped. Take it back out of KVM and deliver it in software before position 0.
     */
    private void takeOverPendingInterrupt() throws BackendException {
        cpu.takeInjectedVector();
        VcpuEvents ev = cpu.vcpuEvents();
        if (!ev.interruptInjected()) {
            return;
        }
        cpu.setVcpuEvents(new VcpuEvents(ev.exceptionInjected(), ev.exceptionNr(), ev.exceptionHasErrorCode(),
                ev.exceptionPending(), ev.exceptionErrorCode(), false, 0, false, ev.interruptShadow(),
                ev.nmiInjected(), ev.nmiPending(), ev.nmiMasked(), ev.sipiVector(), ev.flags(), ev.tripleFaultPending()));
        deliverInSoftware(ev.interruptNr());
        preDelivered++;
        position = 0;
        forgetState();
    }

    /** True while the counter runs the guest before position 0 (no inputs are reported). */
    private boolean silent;
    private long preDelivered;

    /** Interrupts the counter delivered before position 0 (diagnostics). */
    long preDelivered() {
        return preDelivered;
    }

    @Override
    public long position() {
        return position;
    }

    /**
     * Counts one instruction the VMM carried out itself instead of running it (replay: an RDTSC, CPUID, ... whose
     * logged result was put into the registers and RIP moved past it).
     */
    public void countEmulated() {
        position++;
        registersChanged(); // RIP moved without KVM
    }

    /** The VMM changed the registers (replay: a logged REG_WRITE): nothing cached holds, re-arm single-step at RIP. */
    public void registersChanged() {
        forgetState();
        debugControl = -1;
    }

    /** Drops the state the counter last set ({@link #knownRegs}): the next step reads it from KVM. */
    private void forgetState() {
        knownRegs = null;
        knownSregs = null;
    }

    /** Reads up to {@code n} bytes at linear address {@code la} through the guest's page tables; returns the count. */
    public int readLinear(long la, byte[] dst, int n) throws BackendException {
        SpecialRegisters s = cpu.specialRegisters();
        return mem.read(s.cr0(), s.cr3(), s.cr4(), la, dst, n);
    }

    /** CPL3 steps with a #DB undone (diagnostics). */
    long userSteps() {
        return userSteps;
    }

    @Override
    public VmExit run() throws BackendException {
        return runUntil(-1);
    }

    /** Set by {@link #reportRegistersEveryInstruction()}; the last position reported (-1: none yet). */
    private boolean reportEveryInstruction;
    private long lastReported = -1;

    /**
     * Each step reads the registers before its instruction anyway (to classify it and to undo CPL3 traps), so
     * reporting them costs no KVM call.
     */
    @Override
    public boolean reportRegistersEveryInstruction() {
        reportEveryInstruction = true;
        return true;
    }

    /** See {@code PositionCounter.runUntil}: stops with {@link VmExit.Interrupted} exactly at {@code target}. */
    public VmExit runUntil(long target) throws BackendException {
        if (closed) {
            throw new StepException(StepException.Reason.CLOSED, "the position counter is closed");
        }
        // KVM sets the single-step TF only while RIP is the one of the last KVM_SET_GUEST_DEBUG: an instruction
        // KVM's emulator completes (MMIO/port reads finished on the next KVM_RUN, emulated writes) rewrites RFLAGS
        // at the new RIP without it, and on hardware (SVM, VMX) the next instruction then runs unstepped. Seen on the
        // emulated SVM host (issue 12 item 3): `mov $imm,%edi` after an MMIO read got no position of its own.
        // Re-arm on the two steps after any return to the kernel (the completing step and the one after it).
        rearm = 2;
        boolean bounded = target > position;
        stopAt = bounded ? target : -1;
        int injected = cpu.takeInjectedVector();
        if (injected >= 0) {
            deliveringVector = injected;
        }
        if (TRACING) {
            tr("runUntil %d exitRip %x", target, exitRip);
        }
        forgetState(); // the kernel may have changed the state since
        long entered = System.nanoTime();
        try {
            if (queuedVector >= 0) {
                cpu.refreshRunState(); // finishes a pending IN/MMIO read, as KVM_RUN does before delivering
            }
            if (exitRip >= 0) {
                long rip = cpu.registers().rip();
                if (rip != exitRip) {
                    position++; // KVM moved RIP past it before the exit (PVM emulated OUT, MMIO write)
                }
                exitRip = -1;
            }
            while (true) {
                if (bounded && position >= target) {
                    cpu.refreshRunState();
                    if (TRACING) {
                        tr("target reached rip %x", cpu.registers().rip());
                    }
                    return TARGET_REACHED;
                }
                deliverQueued(); // when the guest is about to run, as KVM delivers a KVM_INTERRUPT
                VmExit e = step();
                if (e instanceof VmExit.Interrupted) {
                    cpu.refreshRunState(); // the state may have been rewritten after KVM's exit
                }
                if (e != null) {
                    if (TRACING) {
                        tr("ret %s", e);
                    }
                    return e;
                }
            }
        } finally {
            countingNanos += System.nanoTime() - entered;
            restoreGuestDr();
        }
    }

    /** Where a window's stepping time went (logged at close): inside KVM_RUN, and in all of {@link #runUntil}. */
    private long runNanos, runs, countingNanos;
    private final long opened = System.nanoTime();

    // ------------------------------------------------------------------ one step

    /** Runs one instruction; returns an exit for the kernel, or null to go on. */
    private VmExit step() throws BackendException {
        Registers r = knownRegs != null ? knownRegs : cpu.registers();
        SpecialRegisters s = knownSregs != null ? knownSregs : cpu.specialRegisters();
        forgetState();
        if (reportEveryInstruction && position > lastReported && observer != null && !silent) {
            lastReported = position;
            observer.registers(position, r);
        }
        int kind = peek(s, r.rip());
        if (TRACING) {
            tr("step rip %x cpl %d kind %d rflags %x", r.rip(), s.cs().dpl(), kind & 0xFF, r.rflags());
        }
        if (pvm && s.cs().dpl() == 3) {
            deliveringVector = -1; // delivered from CPL3 by PVM's switcher, which pushes the guest's own RFLAGS
            return stepUser(r, s, kind);
        }
        // An interrupt the VMM queued is delivered before the IRETQ runs: then this is a plain step (delivery and
        // the handler's first instruction), not an IRETQ step. The frame is read once for the three cases: none
        // of them writes guest memory or the vCPU before it returns false or UNHANDLED.
        if (pvm && (kind & 0xFF) == InsnPeek.IRETQ && !cpu.vcpuEvents().interruptInjected()) {
            IretFrame f = iretFrame(s, r.rsp(), i -> "IRETQ frame");
            if (stopAt == position + 1 && emulateIretToUser(r, s, f)) {
                return null;
            }
            VmExit e = stepIretToUser(r, s, f);
            if (e != UNHANDLED) {
                return e;
            }
            if (emulateIretWithinKernel(r, s, f)) {
                return null;
            }
        }
        if (!pvm && (kind & 0xFF) == InsnPeek.INT_N) {
            return stepSoftwareInterrupt(kind, r, s);
        }
        restoreGuestDr();
        armStep(r.rip(), s);
        long t0 = System.nanoTime();
        VmExit e = cpu.run();
        runNanos += System.nanoTime() - t0;
        runs++;
        if (TRACING) {
            tr(" k run -> %s", e);
        }
        if (deliveringVector >= 0 && !(e instanceof VmExit.Interrupted || e instanceof VmExit.InterruptWindow)) {
            int vector = deliveringVector;
            deliveringVector = -1;
            clearStepTrapFlagInFrame(vector, r, s);
        }
        if (!pvm && (kind & 0xFF) == InsnPeek.STI && !(e instanceof VmExit.Interrupted || e instanceof VmExit.InterruptWindow)) {
            long rip = e instanceof VmExit.Debug d ? d.rip() : cpu.registers().rip();
            int len = kind >>> 8 & 0xFF;
            if (rip != r.rip() + len) {
                // Hardware: STI's interrupt shadow held the step trap off, as MOV SS does, so the run also covered the
                // next instruction (emulated SVM host: `sti; hlt` of the guest's idle loop came back as one HLT exit
                // past the HLT, both uncounted). Count the STI here and treat the exit as the next instruction's.
                retire(kind, r, null);
                long[] a = r.toArray();
                a[16] = r.rip() + len;
                a[17] |= IF; // what STI did
                Registers next = Registers.fromArray(a);
                return finishStep(e, peek(s, next.rip()), next, s);
            }
        }
        return finishStep(e, kind, r, s);
    }

    /** Counts what the step of the instruction at {@code r} (of {@code kind}) retired and maps its exit. */
    private VmExit finishStep(VmExit e, int kind, Registers r, SpecialRegisters s) throws BackendException {
        if (!pvm && (kind & 0xFF) == InsnPeek.HLT && e instanceof VmExit.Hlt) {
            // Hardware: KVM's kvm_emulate_halt skips the HLT and reports KVM_EXIT_HLT, dropping the single-step's
            // KVM_EXIT_DEBUG ("we might be squashing a GUESTDBG_SINGLESTEP-triggered KVM_EXIT_DEBUG here"): the HLT
            // has retired, RIP is past it.
            retire(kind, r, null);
            return e;
        }
        if (e instanceof VmExit.Debug d) {
            int slot = pvm ? -1 : watch.hit(d);
            if (slot >= 0) {
                return watchedEntry(slot, kind, r, s);
            }
            if ((kind & 0xFF) == InsnPeek.REP_STRING && d.rip() == r.rip()) {
                return null; // a chunk of iterations; counts when RIP moves past
            }
            retire(kind, r, null);
            if ((kind & 0xFF) == InsnPeek.PUSHF && d.rip() == r.rip() + (kind >>> 8 & 0xFF)) {
                clearStepTrapFlagPushed(s);
            }
            if (!pvm && ((kind & 0xFF) == InsnPeek.IRETQ || (kind & 0xFF) == InsnPeek.POPF || (kind & 0xFF) == InsnPeek.SYSRET)) {
                // Hardware: the instruction loaded RFLAGS from memory. A frame the counter's own delivery wrote holds
                // the guest's RFLAGS without the step TF (issue 12 cause 3), so after the handler's IRETQ the next
                // instruction would run free: arm TF again before it.
                rearm = Math.max(rearm, 1);
            }
            if ((kind & 0xFF) == InsnPeek.MOV_SS && d.rip() != r.rip() + (kind >>> 8 & 0xFF)) {
                // Hardware (SVM, VMX): MOV SS holds the single-step trap off until the next instruction has retired
                // too (Intel SDM vol. 3A "Masking Exceptions and Interrupts When Switching Stacks"; AMD APM MOV):
                // one KVM_EXIT_DEBUG for two instructions. PVM's emulator steps them one by one (RIP lands right
                // after the MOV SS). Issue 12 item 3: counted one, every later position was one short.
                Registers next = r.withRip(r.rip() + (kind >>> 8 & 0xFF));
                retire(peek(s, next.rip()), next, null);
            }
            if ((kind & 0xFF) == InsnPeek.HLT && d.rip() != r.rip()) {
                return (r.rflags() & IF) != 0 ? new VmExit.Hlt(true) : new VmExit.Hlt(false);
            }
            return null;
        }
        return exitToKernel(e, r);
    }

    /** The vector the VMM queued, until the CPL0 step that delivers it (-1: none). */
    private int deliveringVector = -1;

    /**
     * An interrupt delivered by a single-stepping KVM_RUN may push KVM's single-step TF into its frame:
     * KVM_SET_GUEST_DEBUG sets TF in the guest's RFLAGS at the RIP where it is called (PVM: whenever the
     * counter re-arms at CPL0, e.g. after it carried out an IRETQ; VMX: always while stepping, at any CPL). The
     * guest did not set it (KVM_GET_REGS hides it; a guest single-stepping itself inside a window is not
     * supported), so no architectural CPU pushes it, and the handler's IRETQ would restore it. Clears it in the
     * frame: a 64-bit delivery puts it below the 16-byte-aligned RSP (same privilege), TSS.RSP0 (from CPL3) or
     * the gate's IST stack, RIP at top-40, RFLAGS at top-24; nothing is touched unless the frame's RIP is the
     * interrupted one.
     */
    private void clearStepTrapFlagInFrame(int vector, Registers pre, SpecialRegisters s) throws BackendException {
        if (vector < 0 || vector > 255 || s.idt().limit() < 16L * vector + 15) {
            return;
        }
        long lo = mem.read64(s.cr0(), s.cr3(), s.cr4(), s.idt().base() + 16L * vector, "IDT entry");
        int ist = (int) (lo >>> 32 & 7);
        // same privilege: the current stack; from CPL3 (VMX steps CPL3 this way too): TSS.RSP0
        long top = ist == 0 && s.cs().dpl() == 0 ? pre.rsp() & ~0xFL : stackTop(s, ist);
        if (mem.read64(s.cr0(), s.cr3(), s.cr4(), top - 40, "interrupt frame RIP") != pre.rip()) {
            if (TRACING) {
                tr(" delivery frame not found for vector %x", vector);
            }
            return;
        }
        long flags = mem.read64(s.cr0(), s.cr3(), s.cr4(), top - 24, "interrupt frame RFLAGS");
        if ((flags & TF) != 0) {
            writeLong(s, top - 24, flags & ~TF);
            if (TRACING) {
                tr(" cleared step TF in the frame of vector %x", vector);
            }
        }
    }

    /**
     * PUSHF stepped with the step TF set pushed that TF (KVM hides it from KVM_GET_REGS, not from the guest): the guest
     * would see a flag no architectural CPU gave it, and a later POPF would make it trap into its own #DB handler. Linux
     * does PUSHF in every spin_lock_irqsave; its windows on the emulated SVM host were DIVERGED on soft at exactly that
     * instruction (the replay pushed 0x46, the recording's stack held TF). Bit 8 is in the second byte for PUSHFQ and
     * the 16-bit PUSHF alike; the guest's own TF is taken as clear, as for delivered frames.
     */
    private void clearStepTrapFlagPushed(SpecialRegisters s) throws BackendException {
        long rsp = cpu.registers().rsp();
        byte[] b = new byte[1];
        if (mem.read(s.cr0(), s.cr3(), s.cr4(), rsp + 1, b, 1) != 1 || (b[0] & 1) == 0) {
            return;
        }
        b[0] &= ~1;
        mem.write(s.cr0(), s.cr3(), s.cr4(), rsp + 1, b);
        if (TRACING) {
            tr(" cleared the step TF PUSHF pushed at %x", rsp);
        }
    }

    private static final VmExit UNHANDLED = new VmExit.InternalError(0, "unhandled");

    /** A CPL3 instruction on PVM: native, trap-flag #DB into the guest, stopped at the handler and undone. */
    private VmExit stepUser(Registers r, SpecialRegisters s, int kind) throws BackendException {
        Gate db = debugGate(s);
        saveGuestDr();
        byte[] saved = new byte[40];
        mem.read(s.cr0(), s.cr3(), s.cr4(), db.frameTop - 40, saved, 40);
        forceDebug(DBG_ENABLE | DBG_SINGLESTEP | DBG_USE_HW_BP, db.handler); // also sets TF at this RIP
        // A kick (EINTR) or an interrupt-window exit can end KVM_RUN after the native instruction retired but
        // before KVM delivered its trap-flag #DB (then pending). Returning there would report a position one
        // short (an interrupt injected there would be logged before the instruction). So finish the step
        // first and report that exit afterwards (the interrupt-window request is dropped for the re-run and
        // re-made by the kernel when it sees the InterruptWindow exit).
        VmExit deferred = null;
        for (int round = 0; ; round++) {
            VmExit e = cpu.run();
            if (TRACING) {
                tr(" user run %d -> %s", round, e);
            }
            if (e instanceof VmExit.Debug d && d.rip() == db.handler) {
                undoDebugTrap(s, db, saved, r.rip(), kind, r);
                return deferred;
            }
            if (e instanceof VmExit.Debug) {
                afterUserDelivery(r, s, kind);
                return deferred;
            }
            if (e instanceof VmExit.Interrupted || e instanceof VmExit.InterruptWindow) {
                Registers now = cpu.registers();
                if (now.rip() == db.handler && cpu.specialRegisters().cs().dpl() == 0) {
                    undoDebugTrap(s, db, saved, r.rip(), kind, r);
                    return e;
                }
                if (round < MAX_REDO) {
                    if (e instanceof VmExit.InterruptWindow) {
                        cpu.requestInterruptWindow(false);
                    }
                    if (deferred == null || e instanceof VmExit.InterruptWindow) {
                        deferred = e;
                    }
                    continue;
                }
                throw new StepException(StepException.Reason.FRAME_MISMATCH, "a CPL3 step at rip 0x"
                        + Long.toHexString(r.rip()) + " did not complete after " + MAX_REDO + " KVM_RUNs (last: " + e + ")");
            }
            return exitToKernel(e, r);
        }
    }

    private static final int MAX_REDO = 64;

    /**
     * The vCPU stopped on the first byte of the #DB handler after a CPL3 instruction: restore the CPL3 state
     * from the frame and {@code user} (the sregs before the step), the frame bytes and DR6.
     */
    private void undoDebugTrap(SpecialRegisters user, Gate db, byte[] saved, long preRip, int kind, Registers pre)
            throws BackendException {
        SpecialRegisters k = user; // CPL3 cannot change CR0/CR3/CR4: the handler runs with the same paging
        long top = db.frameTop;
        IretFrame f = iretFrame(k, top - 40, i -> "#DB frame " + FRAME_FIELDS[i]);
        long fRip = f.rip(), fFlags = f.rflags();
        if (f.cs() != user.cs().selector() || f.ss() != user.ss().selector()) {
            throw new StepException(StepException.Reason.FRAME_MISMATCH, String.format(
                    "#DB frame at 0x%x is [rip %x cs %x rflags %x rsp %x ss %x], expected cs %x ss %x",
                    top - 40, fRip, f.cs(), fFlags, f.rsp(), f.ss(), user.cs().selector(), user.ss().selector()));
        }
        long[] a = cpu.registers().toArray();
        if (TRACING) {
            tr(" undo frame rip %x flags %x rsp %x", fRip, fFlags, f.rsp());
        }
        a[16] = fRip;
        a[6] = f.rsp();
        // RFLAGS as the instruction left it natively: without KVM's TF, and with RF = 0, which the processor
        // clears when an instruction completes (SDM vol. 3 §18.3.1.1). The delivered #DB frame's image may hold
        // RF = 1; left live, it would be pushed into the guest's next interrupt frame and never cleared by a
        // replaying interpreter. Only an IRETQ keeps the RF it loaded from its image (for the next instruction).
        a[17] = fFlags & ~TF & ((kind & 0xFF) == InsnPeek.IRETQ ? ~0L : ~RF);
        Registers restored = Registers.fromArray(a);
        cpu.setRegisters(restored);
        cpu.setSpecialRegisters(user);
        mem.write(k.cr0(), k.cr3(), k.cr4(), top - 40, saved);
        knownRegs = restored;
        knownSregs = user;
        userSteps++;
        if ((kind & 0xFF) == InsnPeek.REP_STRING && fRip == preRip) {
            return; // one iteration of a REP string instruction
        }
        retire(kind, pre, Registers.fromArray(a));
    }

    /**
     * A CPL3 step ended in a KVM_EXIT_DEBUG elsewhere than the #DB handler: either a direct step exit at CPL3
     * (an emulated instruction completed, e.g. IN or an MMIO read after the VMM's answer), or an event
     * (exception raised by the instruction, an injected interrupt) delivered to CPL0 whose handler's first
     * instruction KVM then emulated and stepped.
     */
    private void afterUserDelivery(Registers r, SpecialRegisters user, int kind) throws BackendException {
        SpecialRegisters k = cpu.specialRegisters();
        if (k.cs().dpl() == 3) {
            Registers now = cpu.registers();
            if (!((kind & 0xFF) == InsnPeek.REP_STRING && now.rip() == r.rip())) {
                retire(kind, r, now);
            }
            return;
        }
        // Delivered to CPL0: find the frame (TSS.RSP0 or an IST stack) by the CPL3 CS/SS/RSP it holds.
        long top = findUserFrame(k, user, r);
        long fRip = mem.read64(k.cr0(), k.cr3(), k.cr4(), top - 40, "exception frame RIP");
        long fFlags = mem.read64(k.cr0(), k.cr3(), k.cr4(), top - 24, "exception frame RFLAGS");
        if ((fFlags & TF) != 0) {
            // KVM's single-step TF was live when the event was delivered: the guest must not see it.
            writeLong(k, top - 24, fFlags & ~TF);
        }
        if (fRip != r.rip()) {
            position++; // the CPL3 instruction retired (a trap: INT3, INTO, INT n) before the delivery
        }
        position++; // the handler's first instruction, emulated and stepped
    }

    private long findUserFrame(SpecialRegisters k, SpecialRegisters user, Registers r) throws BackendException {
        long tss = user.tr().base();
        for (int slot = 0; slot <= 7; slot++) {
            byte[] b = new byte[8];
            if (mem.read(k.cr0(), k.cr3(), k.cr4(), tss + tssStackSlot(slot), b, 8) != 8) {
                continue;
            }
            long top = GuestLinear.le(b, 0) & ~0xFL;
            IretFrame f = readFrame(k, top - 40);
            if (f != null && f.cs() == user.cs().selector() && f.ss() == user.ss().selector() && f.rsp() == r.rsp()) {
                return top;
            }
        }
        throw new StepException(StepException.Reason.FRAME_MISMATCH, String.format(
                "an event from CPL3 at rip 0x%x was delivered to 0x%x but no frame on the TSS stacks holds cs %x ss %x"
                        + " rsp %x", r.rip(), cpu.registers().rip(), user.cs().selector(), user.ss().selector(), r.rsp()));
    }

    /**
     * IRETQ at CPL0 to CPL3 on PVM: the emulated IRETQ takes RFLAGS from the frame, so KVM's TF would be lost
     * and the CPL3 code would run free. Set TF in the frame's RFLAGS image for this one step, stop at the #DB
     * handler as for any CPL3 step and undo it there (with CS/SS rebuilt from the GDT, since no CPL3 state
     * existed before the step). Returns {@link #UNHANDLED} if the IRETQ does not go to CPL3.
     */
    private VmExit stepIretToUser(Registers r, SpecialRegisters s, IretFrame f) throws BackendException {
        long sp = r.rsp();
        if ((f.cs() & 3) != 3) {
            return UNHANDLED;
        }
        long fRip = f.rip(), fFlags = f.rflags(), fRsp = f.rsp();
        int fCs = f.cs(), fSs = f.ss();
        SpecialRegisters user = userSregs(s, fCs, fSs);
        Gate db = debugGate(s);
        saveGuestDr();
        int target = peek(s, fRip);
        byte[] saved = new byte[40];
        mem.read(s.cr0(), s.cr3(), s.cr4(), db.frameTop - 40, saved, 40);
        writeLong(s, sp + 16, fFlags | TF);
        forceDebug(DBG_ENABLE | DBG_SINGLESTEP | DBG_USE_HW_BP, db.handler);
        // A kick or an interrupt window (IF=1 after the IRETQ) can end KVM_RUN before the IRETQ, between it and
        // the CPL3 instruction, or after that instruction with its #DB still pending: run again until the step
        // ends at the breakpoint (or in an exit of the CPL3 instruction), then report that exit.
        VmExit e;
        VmExit deferred = null;
        boolean atHandler = false;
        try {
            for (int round = 0; ; round++) {
                e = cpu.run();
                if (TRACING) {
                    tr(" iret run %d -> %s", round, e);
                }
                if (!(e instanceof VmExit.Interrupted || e instanceof VmExit.InterruptWindow)) {
                    break;
                }
                if (cpu.registers().rip() == db.handler && cpu.specialRegisters().cs().dpl() == 0) {
                    atHandler = true;
                    break;
                }
                if (round >= MAX_REDO) {
                    throw new StepException(StepException.Reason.FRAME_MISMATCH, "IRETQ to CPL3 at 0x"
                            + Long.toHexString(r.rip()) + " did not complete after " + MAX_REDO + " KVM_RUNs (last: " + e + ")");
                }
                if (e instanceof VmExit.InterruptWindow) {
                    cpu.requestInterruptWindow(false);
                }
                if (deferred == null || e instanceof VmExit.InterruptWindow) {
                    deferred = e;
                }
            }
        } catch (BackendException | RuntimeException ex) {
            writeLong(s, sp + 16, fFlags);
            throw ex;
        }
        boolean undo = atHandler || e instanceof VmExit.Debug d0 && d0.rip() == db.handler;
        // Put the frame's RFLAGS word back. If the #DB frame was written over the IRETQ frame (the same stack
        // top: an interrupt from CPL3 returning), that word is now the #DB frame's RFLAGS, which the undo must
        // read first; the undo then restores all 40 bytes as they were before the step, this word included.
        if (!(undo && sp + 16 >= db.frameTop - 40 && sp + 16 < db.frameTop)) {
            writeLong(s, sp + 16, fFlags);
        }
        if (undo) {
            position++; // the IRETQ
            reportAfterIret(r, fRip, fFlags, fRsp);
            // The data segments are as the IRETQ left them (it nulls DS/ES/FS/GS with DPL < 3); the #DB
            // delivery changed only CS/SS, which come from the GDT.
            SpecialRegisters after = nullDataSegments(userSregs(cpu.specialRegisters(), fCs, fSs));
            undoDebugTrap(after, db, saved, fRip, target, cpu.registers().withRip(fRip));
            return atHandler ? e : deferred;
        }
        if (e instanceof VmExit.Debug) {
            SpecialRegisters now = cpu.specialRegisters();
            position++; // the IRETQ
            reportAfterIret(r, fRip, fFlags, fRsp);
            if (now.cs().dpl() == 3) {
                cpu.setRegisters(cpu.registers()); // drop the frame's TF from the guest's RFLAGS
                fixDataSegments(now);
                return deferred;
            }
            throw new StepException(StepException.Reason.FRAME_MISMATCH,
                    "IRETQ to CPL3 at 0x" + Long.toHexString(r.rip()) + " ended at CPL0 rip 0x" + Long.toHexString(d(e)));
        }
        if (isIoExit(e) && cpu.specialRegisters().cs().dpl() == 3) {
            // The first CPL3 instruction exited (port I/O, MMIO: KVM reports no step for it): the IRETQ retired.
            position++;
            reportAfterIret(r, fRip, fFlags, fRsp);
            exitRip = fRip; // the CPL3 instruction counts when it retires
            fixDataSegments(cpu.specialRegisters());
            return e;
        }
        return exitToKernel(e, r);
    }

    /** The target of the current {@link #runUntil}, -1 if unbounded. */
    private long stopAt = -1;

    /**
     * IRETQ at CPL0 to CPL3 on PVM when the caller wants to stop right after it (a replay with an event logged
     * there, e.g. a soft-recorded window whose next interrupt came as the handler returned): stepped, it would run
     * with the CPL3 instruction it returns to as one step. The counter carries it out as the SDM says
     * (RETURN-TO-OUTER-PRIVILEGE-LEVEL: RIP, CS, RFLAGS, RSP, SS from the frame; DS/ES/FS/GS with a DPL below 3
     * nulled) and counts it. Returns false (it is stepped) unless the frame returns to 64-bit CPL3 code with CS
     * and SS selectors of RPL and DPL 3 from the GDT and a canonical RIP, and NT is clear.
     */
    private boolean emulateIretToUser(Registers r, SpecialRegisters s, IretFrame f) throws BackendException {
        if (s.cs().dpl() != 0 || (r.rflags() & NT) != 0) {
            return false;
        }
        if ((f.cs() & 3) != 3 || (f.ss() & 3) != 3 || !f.canonicalRip()) {
            return false;
        }
        SpecialRegisters user = nullDataSegments(userSregs(s, f.cs(), f.ss()));
        if (user.cs().dpl() != 3 || user.ss().dpl() != 3 || !user.cs().l()) {
            if (TRACING) {
                tr(" iret to user not emulated: cs %s ss %s", user.cs(), user.ss());
            }
            return false;
        }
        cpu.setSpecialRegisters(user);
        carryOutIret(r, f, ~TF); // a TF in the frame is KVM's, as in reportAfterIret
        return true;
    }

    /** The five quadwords an IRETQ pops in 64-bit mode (selectors: their low 16 bits). */
    private record IretFrame(long rip, int cs, long rflags, long rsp, int ss) {
        boolean canonicalRip() {
            return canonical(rip);
        }
    }

    /** The quadwords of an interrupt frame, bottom up (for error texts). */
    private static final String[] FRAME_FIELDS = {"RIP", "CS", "RFLAGS", "RSP", "SS"};

    /** The frame at {@code sp}, or null if its 40 bytes are not all mapped to guest RAM. */
    private IretFrame readFrame(SpecialRegisters s, long sp) {
        byte[] b = new byte[40];
        if (mem.read(s.cr0(), s.cr3(), s.cr4(), sp, b, 40) != 40) {
            return null;
        }
        return new IretFrame(GuestLinear.le(b, 0), (int) GuestLinear.le(b, 8) & 0xFFFF, GuestLinear.le(b, 16),
                GuestLinear.le(b, 24), (int) GuestLinear.le(b, 32) & 0xFFFF);
    }

    /**
     * The frame at {@code sp}; if part of it is not mapped, throws {@link StepException} (MEMORY) naming the first
     * unmapped quadword {@code i} as {@code what.apply(i)}.
     */
    private IretFrame iretFrame(SpecialRegisters s, long sp, IntFunction<String> what) throws BackendException {
        IretFrame f = readFrame(s, sp);
        if (f != null) {
            return f;
        }
        long[] q = new long[5];
        for (int i = 0; i < 5; i++) {
            q[i] = mem.read64(s.cr0(), s.cr3(), s.cr4(), sp + 8L * i, what.apply(i));
        }
        return new IretFrame(q[0], (int) q[1] & 0xFFFF, q[2], q[3], (int) q[4] & 0xFFFF);
    }

    /**
     * The register part of an IRETQ the counter carries out (its caller set any new segments): RIP and RSP from
     * the frame, the RFLAGS bits IRETQ at CPL0 loads (within {@code frameFlags}) from it; counted as one
     * instruction, single-step re-armed at the new RIP.
     */
    private void carryOutIret(Registers r, IretFrame f, long frameFlags) throws BackendException {
        long[] a = r.toArray();
        a[16] = f.rip();
        a[17] = (r.rflags() & ~IRET_CPL0_FLAGS) | (f.rflags() & IRET_CPL0_FLAGS & frameFlags) | 2;
        a[6] = f.rsp();
        cpu.setRegisters(Registers.fromArray(a));
        if (TRACING) {
            tr(" iret carried out -> rip %x rflags %x rsp %x", a[16], a[17], a[6]);
        }
        position++;
        debugControl = -1; // KVM re-arms its single-step TF only through KVM_SET_GUEST_DEBUG at the new RIP
    }

    /** RFLAGS bits IRETQ at CPL0 takes from its frame (SDM IRET): all but VM, which 64-bit mode keeps 0. */
    private static final long IRET_CPL0_FLAGS = 0x3D7FD5L;

    /**
     * IRETQ at CPL0 back to CPL0 on PVM (an interrupt handler returning into the kernel, e.g. the idle
     * {@code sti; hlt}): PVM does not single-step it — its KVM_RUN runs the IRETQ and the next instruction and
     * reports one step, or ends in a HLT exit when the next instruction is HLT — so one instruction would go
     * uncounted and an interrupt injected after it would be logged one position early. The counter carries
     * it out itself as the SDM says (same-privilege return in 64-bit mode: RIP, CS, RFLAGS, RSP, SS from the
     * frame) and counts it. The caller has made sure no interrupt is queued in KVM (it would be delivered before
     * the IRETQ). Returns false (KVM runs it) when that is not this simple case: the frame does not go to CPL0,
     * NT is set (task return), RIP is not canonical, or CS/SS change to selectors other than the current ones.
     */
    private boolean emulateIretWithinKernel(Registers r, SpecialRegisters s, IretFrame f) throws BackendException {
        if (s.cs().dpl() != 0 || (r.rflags() & NT) != 0) {
            return false;
        }
        if ((f.cs() & 3) != 0 || f.cs() != s.cs().selector() || f.ss() != s.ss().selector() || !f.canonicalRip()) {
            return false;
        }
        carryOutIret(r, f, ~0L);
        return true;
    }

    /**
     * The registers right after an IRETQ to CPL3, which this counter cannot stop at (the IRETQ and the CPL3
     * instruction it returns to run as one step): GPRs as before it, RIP/RSP/RFLAGS from its frame. Reported
     * to {@link InputObserver#registers} so the recorder's register checkpoints have no gap there.
     */
    private void reportAfterIret(Registers pre, long rip, long rflags, long rsp) {
        if (observer == null || silent) {
            return;
        }
        long[] a = pre.toArray();
        a[16] = rip;
        a[17] = rflags & ~TF;
        a[6] = rsp;
        lastReported = Math.max(lastReported, position);
        observer.registers(position, Registers.fromArray(a));
    }

    private static long d(VmExit e) {
        return e instanceof VmExit.Debug d ? d.rip() : -1;
    }

    private void writeLong(SpecialRegisters s, long la, long v) {
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        mem.write(s.cr0(), s.cr3(), s.cr4(), la, b);
    }

    /**
     * IRETQ to an outer privilege level loads a null selector into each of DS, ES, FS, GS that holds a data or
     * non-conforming code segment with DPL below the new CPL (SDM IRET, RETURN-TO-OUTER-PRIVILEGE-LEVEL; the base
     * stays). PVM's emulated IRETQ does not, so the guest would go on with its kernel data selectors at CPL3,
     * which no architectural CPU (nor the soft RCP) does. The counter, which steps every IRETQ to CPL3 in a
     * window, completes it as the architecture says.
     */
    private static SpecialRegisters nullDataSegments(SpecialRegisters s) {
        int cpl = s.cs().dpl();
        return new SpecialRegisters(s.cs(), nulled(s.ds(), cpl), nulled(s.es(), cpl), nulled(s.fs(), cpl),
                nulled(s.gs(), cpl), s.ss(), s.tr(), s.ldt(), s.gdt(), s.idt(), s.cr0(), s.cr2(), s.cr3(), s.cr4(),
                s.cr8(), s.efer(), s.apicBase());
    }

    private static Segment nulled(Segment g, int cpl) {
        boolean conformingCode = (g.type() & 0xC) == 0xC && g.s();
        if (g.unusable() || g.dpl() >= cpl || conformingCode) {
            return g;
        }
        return new Segment(g.base(), g.limit(), 0, g.type(), g.present(), g.dpl(), g.db(), g.s(), g.l(), g.g(),
                g.avl(), true);
    }

    private void fixDataSegments(SpecialRegisters now) throws BackendException {
        SpecialRegisters fixed = nullDataSegments(now);
        if (!fixed.equals(now)) {
            cpu.setSpecialRegisters(fixed);
        }
    }

    /** CPL3 sregs: {@code s} with CS and SS loaded from the GDT descriptors of the given selectors. */
    private SpecialRegisters userSregs(SpecialRegisters s, int csSel, int ssSel) throws BackendException {
        Segment cs = descriptor(s, csSel);
        Segment ss = descriptor(s, ssSel);
        return new SpecialRegisters(cs, s.ds(), s.es(), s.fs(), s.gs(), ss, s.tr(), s.ldt(), s.gdt(), s.idt(), s.cr0(),
                s.cr2(), s.cr3(), s.cr4(), s.cr8(), s.efer(), s.apicBase());
    }

    private Segment descriptor(SpecialRegisters s, int sel) throws BackendException {
        if ((sel & 4) != 0 || (sel | 7) > s.gdt().limit()) {
            throw new StepException(StepException.Reason.FRAME_MISMATCH, "IRETQ to selector 0x" + Integer.toHexString(sel)
                    + " outside the GDT");
        }
        long d = mem.read64(s.cr0(), s.cr3(), s.cr4(), s.gdt().base() + (sel & ~7), "GDT descriptor");
        long base = (d >>> 16 & 0xFFFFFF) | (d >>> 56 & 0xFF) << 24;
        int limit = (int) ((d & 0xFFFF) | (d >>> 48 & 0xF) << 16);
        boolean g = (d >>> 55 & 1) != 0;
        if (g) {
            limit = limit << 12 | 0xFFF;
        }
        int type = (int) (d >>> 40 & 0xF) | 1; // accessed
        return new Segment(base, limit, sel, type, (d >>> 47 & 1) != 0, (int) (d >>> 45 & 3), (d >>> 54 & 1) != 0,
                (d >>> 44 & 1) != 0, (d >>> 53 & 1) != 0, g, (d >>> 52 & 1) != 0, false);
    }

    /** An exit for the kernel: the exiting instruction has not counted yet. */
    private VmExit exitToKernel(VmExit e, Registers pre) {
        if (isIoExit(e)) {
            exitRip = pre.rip();
        }
        return e;
    }

    /** Port I/O and MMIO exits: KVM reports no step for them, the instruction retires on the next KVM_RUN. */
    private static boolean isIoExit(VmExit e) {
        return e instanceof VmExit.PortIn || e instanceof VmExit.PortOut || e instanceof VmExit.MmioRead
                || e instanceof VmExit.MmioWrite;
    }

    // ------------------------------------------------------------------ helpers

    /** The #DB gate: handler address and the top of the stack its frame goes to. */
    private record Gate(long handler, long frameTop) {}

    private Gate debugGate(SpecialRegisters s) throws BackendException {
        if (s.idt().limit() < 16 + 15) {
            throw new StepException(StepException.Reason.NO_DB_HANDLER, "the IDT (limit 0x"
                    + Integer.toHexString(s.idt().limit()) + ") has no entry for vector 1");
        }
        long lo = mem.read64(s.cr0(), s.cr3(), s.cr4(), s.idt().base() + 16, "IDT[1]");
        long hi = mem.read64(s.cr0(), s.cr3(), s.cr4(), s.idt().base() + 24, "IDT[1]");
        int type = (int) (lo >>> 40 & 0xF);
        if ((lo >>> 47 & 1) == 0 || (type != 0xE && type != 0xF)) {
            throw new StepException(StepException.Reason.NO_DB_HANDLER, String.format(
                    "IDT[1] is not a present 64-bit interrupt or trap gate (%016x %016x)", hi, lo));
        }
        long handler = (lo & 0xFFFF) | (lo >>> 48 & 0xFFFF) << 16 | (hi & 0xFFFF_FFFFL) << 32;
        if (!canonical(handler)) {
            throw new StepException(StepException.Reason.NO_DB_HANDLER, "IDT[1] handler 0x" + Long.toHexString(handler)
                    + " is not canonical");
        }
        return new Gate(handler, stackTop(s, (int) (lo >>> 32 & 7)));
    }

    /** Where a delivery to CPL0 through a gate with this IST index puts its frame: TSS.RSP0 or TSS.ISTn, aligned. */
    private long stackTop(SpecialRegisters s, int ist) throws BackendException {
        long tss = s.tr().base();
        return mem.read64(s.cr0(), s.cr3(), s.cr4(), tss + tssStackSlot(ist), ist == 0 ? "TSS.RSP0" : "TSS.IST" + ist)
                & ~0xFL;
    }

    /** Offset in the 64-bit TSS of RSP0 ({@code ist} 0) or ISTn. */
    private static long tssStackSlot(int ist) {
        return ist == 0 ? 4 : 0x24 + 8L * (ist - 1);
    }

    /** Bits 63..47 all equal (48-bit linear addresses). */
    private static boolean canonical(long la) {
        return (la << 16 >> 16) == la;
    }

    /** Whether the vCPU stands at a REP string instruction (a replay whose window ended inside one asks). */
    public boolean atRepString() throws BackendException {
        return (peek(cpu.specialRegisters(), cpu.registers().rip()) & 0xFF) == InsnPeek.REP_STRING;
    }

    private int peek(SpecialRegisters s, long rip) {
        int n = mem.read(s.cr0(), s.cr3(), s.cr4(), rip, insn, insn.length);
        return n == 0 ? InsnPeek.OTHER : InsnPeek.classify(insn, n);
    }

    /** Counts one retired instruction and reports its input if it consumed one ({@code post}: state after it). */
    private void retire(int kind, Registers pre, Registers post) throws BackendException {
        int k = kind & 0xFF;
        if (k >= InsnPeek.RDTSC && k <= InsnPeek.RDPMC && observer != null && !silent) {
            Registers a = post != null ? post : cpu.registers();
            long edxEax = (a.rdx() & 0xFFFF_FFFFL) << 32 | (a.rax() & 0xFFFF_FFFFL);
            switch (k) {
                case InsnPeek.RDTSC -> observer.observed(EventKind.RDTSC, position, pre.rip(), pre.rcx(), 0, edxEax, new byte[0]);
                case InsnPeek.RDPMC -> observer.observed(EventKind.RDPMC, position, pre.rip(), pre.rcx(), 0, edxEax, new byte[0]);
                case InsnPeek.RDTSCP -> observer.observed(EventKind.RDTSCP, position, pre.rip(), pre.rcx(), 0, edxEax,
                        le32((int) a.rcx()));
                case InsnPeek.CPUID -> {
                    byte[] d = new byte[16];
                    put32(d, 0, (int) a.rax());
                    put32(d, 4, (int) a.rbx());
                    put32(d, 8, (int) a.rcx());
                    put32(d, 12, (int) a.rdx());
                    observer.observed(EventKind.CPUID, position, pre.rip(), pre.rcx(), pre.rax() & 0xFFFF_FFFFL,
                            a.rax() & 0xFFFF_FFFFL, d);
                }
                case InsnPeek.RDRAND, InsnPeek.RDSEED -> {
                    int reg = kind >> 8 & 0xF, size = kind >> 16 & 0xF;
                    long v = a.toArray()[InsnPeek.registerIndex(reg)];
                    if (size < 8) {
                        v &= (1L << (8 * size)) - 1;
                    }
                    observer.observed(k == InsnPeek.RDRAND ? EventKind.RDRAND : EventKind.RDSEED, position, pre.rip(),
                            pre.rcx(), 0, v, new byte[] {(byte) (a.rflags() & 1)});
                }
                default -> {
                }
            }
        }
        position++;
    }

    private static byte[] le32(int v) {
        byte[] d = new byte[4];
        put32(d, 0, v);
        return d;
    }

    private static void put32(byte[] d, int off, int v) {
        for (int i = 0; i < 4; i++) {
            d[off + i] = (byte) (v >>> (8 * i));
        }
    }

    /**
     * Single-step for the instruction at {@code rip}; on hardware hosts with the exception watch's breakpoints. Re-issued
     * when {@link #rearm} asks (KVM sets its step TF again only through KVM_SET_GUEST_DEBUG).
     */
    private void armStep(long rip, SpecialRegisters s) throws BackendException {
        boolean force = rearm > 0;
        if (force) rearm--;
        if (!pvm) {
            watch.refresh(s, mem, cpu);
            if (watch.any()) {
                long[] regs = watch.debugRegs(rip);
                int control = DBG_ENABLE | DBG_SINGLESTEP | DBG_USE_HW_BP;
                if (force || control != debugControl || !java.util.Arrays.equals(regs, debugRegs)) {
                    cpu.setGuestDebug(control, regs);
                    debugControl = control;
                    debugDr0 = regs[0];
                    debugRegs = regs;
                }
                return;
            }
        }
        if (force) forceDebug(DBG_ENABLE | DBG_SINGLESTEP, 0);
        else setDebug(DBG_ENABLE | DBG_SINGLESTEP, 0);
    }

    /**
     * The step ended at a watched entry's breakpoint (ExceptionWatch): SYSCALL retired into IA32_LSTAR (R11 got the
     * step TF: cleared, else SYSRET would give it to user code), or the stepped instruction raised #PF, #GP or #UD and
     * did not retire (the frame's RFLAGS got the step TF: cleared, as for the counter's own deliveries). Delivery and
     * SYSCALL cleared TF, so it is armed again for the entry's first instruction.
     */
    private VmExit watchedEntry(int slot, int kind, Registers r, SpecialRegisters s) throws BackendException {
        if (slot == ExceptionWatch.LSTAR_SLOT) {
            retire(kind, r, null);
            Registers now = cpu.registers();
            if ((now.toArray()[11] & TF) != 0) {
                long[] a = now.toArray();
                a[11] &= ~TF;
                cpu.setRegisters(Registers.fromArray(a));
            }
        } else {
            clearStepTrapFlagInFrame(ExceptionWatch.vector(slot), r, s);
        }
        if (TRACING) {
            tr(" entry %d reached from rip %x", slot, r.rip());
        }
        forgetState();
        rearm = Math.max(rearm, 1);
        return null;
    }

    private void setDebug(int control, long dr0) throws BackendException {
        if (control != debugControl || dr0 != debugDr0) {
            forceDebug(control, dr0);
        }
    }

    private void forceDebug(int control, long dr0) throws BackendException {
        cpu.setGuestDebug(control, (control & DBG_USE_HW_BP) != 0 ? new long[] {dr0, 0, 0, 0, 0, 0, 0, 0x401} : null);
        debugControl = control;
        debugDr0 = dr0;
        debugRegs = null;
    }

    private void saveGuestDr() throws BackendException {
        if (guestDr == null) {
            guestDr = cpu.debugRegs();
        }
    }

    /** Puts back the guest's DR6 (each injected trap-flag #DB set DR6.BS) once CPL3 stepping pauses. */
    private void restoreGuestDr() throws BackendException {
        if (guestDr != null) {
            long[] d = guestDr;
            guestDr = null;
            cpu.setDebugRegs(d);
        }
    }

    @Override
    public void close() throws BackendException {
        if (closed) {
            return;
        }
        closed = true;
        if (TRACING) {
            try {
                java.nio.file.Files.writeString(java.nio.file.Path.of(TRACE_DIR, "t" + System.nanoTime() + ".txt"), trace);
            } catch (java.io.IOException e) {
                // diagnostics only
            }
        }
        restoreGuestDr();
        if (delivery != null) {
            cpu.interceptInterrupts(null);
            if (queuedVector >= 0) {
                int v = queuedVector;
                queuedVector = -1;
                cpu.injectInterrupt(v); // not delivered yet: hand it to KVM, which delivers it on the next run
            }
        }
        cpu.setSingleStep(false);
        // One line per window: on a slow host (the emulated SVM host steps ~200 instructions/s) it tells whether the
        // time goes to the hypervisor (KVM_RUN) or to the counter's own work around each step.
        if (LOG.isInfoEnabled()) {
            LOG.info("kvm-step: {} positions, {} single-step KVM_RUNs ({} ms inside), {} ms stepping in all, {} ms open;"
                    + " {} interrupts delivered by the counter", position, runs, runNanos / 1_000_000,
                    countingNanos / 1_000_000, (System.nanoTime() - opened) / 1_000_000, softDelivered);
        }
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(StepCounter.class);
}
