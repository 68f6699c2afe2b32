package pcm.vmx.internal.position;

import pcm.core.api.cpu.BackendException;
import pcm.core.api.cpu.SpecialRegisters;
import pcm.core.api.vm.VmExit;
import pcm.vmx.internal.kvm.KvmVcpu;

/**
 * Hardware instruction breakpoints on the entries a stepped instruction can reach without a single-step trap (hardware
 * hosts; docs/positions-on-kvm.md, "Exceptions and SYSCALL"). An exception the instruction raises (#PF, #GP, #UD) is
 * delivered with TF cleared, and SYSCALL clears TF through IA32_FMASK (Linux masks it): the handler would run unstepped
 * and uncounted until something set TF again. A breakpoint on the handler's (or IA32_LSTAR's) first instruction stops
 * the vCPU there, before that instruction runs, so the counter knows what happened and steps on.
 * <p>
 * The gates are read from the guest's IDT when a counter starts, when IDTR changes and every {@link #REFRESH_STEPS}
 * steps (Linux rewrites its IDT's gates in place during boot, and sets IA32_LSTAR without an exit).
 */
final class ExceptionWatch {

    /**
     * Off unless {@code -Dpcm.kvmstep.exceptionWatch=true}: not yet verified on a CPU that honours the breakpoints, and on
     * the emulated SVM host (QEMU TCG, which does not stop its L2 guest at them) a Linux guest counted with the watch
     * armed froze after its first window with the L1 host's kvm_amd RIP in its registers (stop 24; one run, the cause
     * not shown). Tests switch it on for themselves.
     */
    static volatile boolean enabled = Boolean.getBoolean("pcm.kvmstep.exceptionWatch");

    /** Watched vectors in DR0..DR2; DR3 is SYSCALL's target. */
    private static final int[] VECTORS = {14, 13, 6};
    static final int LSTAR_SLOT = 3;
    private static final int MSR_LSTAR = 0xC0000082;
    private static final long REFRESH_STEPS = 1 << 16;
    /** DR6.BS: the exit is the single-step trap of the instruction just stepped. */
    private static final long DR6_BS = 1L << 14;

    private final long[] at = new long[4]; // linear addresses, 0: not watched
    private long idtBase = -1, idtLimit = -1;
    private long stepsSinceRefresh = REFRESH_STEPS;

    /** Reads the gates and IA32_LSTAR again if due (see the class comment); never fails: what cannot be read is not watched. */
    void refresh(SpecialRegisters s, GuestLinear mem, KvmVcpu cpu) {
        if (!enabled) return;
        boolean moved = s.idt().base() != idtBase || s.idt().limit() != idtLimit;
        if (!moved && ++stepsSinceRefresh < REFRESH_STEPS) return;
        stepsSinceRefresh = 0;
        idtBase = s.idt().base();
        idtLimit = s.idt().limit();
        for (int i = 0; i < VECTORS.length; i++) at[i] = gate(s, mem, VECTORS[i]);
        at[LSTAR_SLOT] = 0;
        if ((s.efer() & 1) != 0) { // EFER.SCE: SYSCALL enabled
            try {
                at[LSTAR_SLOT] = cpu.readMsr(MSR_LSTAR);
            } catch (BackendException e) {
                // not watched: a SYSCALL would then be counted as before (one step for it and its handler's run)
            }
        }
    }

    /** The 64-bit interrupt/trap gate's handler, 0 if absent or unreadable. */
    private static long gate(SpecialRegisters s, GuestLinear mem, int vector) {
        if (s.idt().limit() < 16L * vector + 15) return 0;
        byte[] b = new byte[16];
        if (mem.read(s.cr0(), s.cr3(), s.cr4(), s.idt().base() + 16L * vector, b, 16) != 16) return 0;
        long lo = GuestLinear.le(b, 0), hi = GuestLinear.le(b, 8);
        if ((lo >>> 47 & 1) == 0) return 0;
        return (lo & 0xFFFF) | (lo >>> 48 & 0xFFFF) << 16 | (hi & 0xFFFF_FFFFL) << 32;
    }

    boolean any() {
        return enabled && (at[0] != 0 || at[1] != 0 || at[2] != 0 || at[3] != 0);
    }

    /**
     * KVM_SET_GUEST_DEBUG's debug registers for a step at {@code rip}: every watched entry but one at {@code rip}
     * itself (an instruction breakpoint there would fault before the step begins).
     */
    long[] debugRegs(long rip) {
        long dr7 = 0x400; // bit 10 reads as one
        for (int i = 0; i < 4; i++) {
            if (at[i] != 0 && at[i] != rip) dr7 |= 1L << (2 * i); // L<i>, R/W 00 (execute), LEN 00
        }
        return new long[] {at[0], at[1], at[2], at[3], 0, 0, 0, dr7};
    }

    /** The slot whose breakpoint this exit is (a fault before that entry's first instruction), -1 for any other #DB. */
    int hit(VmExit.Debug d) {
        if (!enabled) return -1;
        if ((d.dr6() & DR6_BS) != 0) return -1;
        for (int i = 0; i < 4; i++) {
            if ((d.dr6() >>> i & 1) != 0 && at[i] != 0 && at[i] == d.rip()) return i;
        }
        return -1;
    }

    /** The exception vector watched in {@code slot}, -1 for SYSCALL's. */
    static int vector(int slot) {
        return slot < VECTORS.length ? VECTORS[slot] : -1;
    }
}
