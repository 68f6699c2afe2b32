package pcm.core.internal.sampling;

import java.util.ArrayList;
import java.util.List;

import pcm.core.api.cpu.BackendException;
import pcm.core.api.cpu.CpuidMask;
import pcm.core.api.cpu.Registers;
import pcm.core.api.cpu.SpecialRegisters;
import pcm.core.api.cpu.VirtualCpu;
import pcm.core.api.event.EventKind;
import pcm.core.api.exit.ExitResult;
import pcm.core.api.vm.VmExit;
import pcm.core.api.guest.LongModeBoot;

/**
 * A vCPU that "retires" a scripted sequence: runs of plain instructions, exits, and inputs consumed
 * without an exit (what a CPL3 RDTSC is on KVM). An exiting instruction retires when it is completed.
 * RIP is 0x1000 + instructions retired, RCX the count; TSC_AUX is refused like a backend would.
 */
final class ScriptedVcpu implements VirtualCpu {

    sealed interface Step {}

    record Retire(long n) implements Step {}

    record Exit(VmExit exit) implements Step {}

    /** An input the guest consumes without an exit (one instruction). */
    record Silent(EventKind kind, long value) implements Step {}

    interface SilentListener {
        void consumed(EventKind kind, long positionBefore, long value);
    }

    private final List<Step> steps;
    private int next;
    private long leftInStep = -1;
    volatile long retired;
    private volatile boolean kicked;
    private boolean pendingCompletion;
    final List<Integer> injected = new ArrayList<>();
    /** Counted down at the first HLT: the loop is then idle, and a window opens at a known point. */
    final java.util.concurrent.CountDownLatch halted = new java.util.concurrent.CountDownLatch(1);

    ScriptedVcpu(List<Step> steps) {
        this.steps = steps;
    }

    /** Runs at most {@code budget} instructions; returns the exit reached or Interrupted. */
    VmExit run(long budget, SilentListener silent) {
        if (kicked) {
            kicked = false;
            return new VmExit.Interrupted();
        }
        long left = budget;
        while (next < steps.size()) {
            Step s = steps.get(next);
            switch (s) {
                case Retire r -> {
                    if (leftInStep < 0) leftInStep = r.n();
                    long n = Math.min(leftInStep, left);
                    retired += n;
                    leftInStep -= n;
                    left -= n;
                    if (leftInStep == 0) {
                        leftInStep = -1;
                        next++;
                    }
                    if (left == 0) return new VmExit.Interrupted();
                }
                case Silent si -> {
                    if (left == 0) return new VmExit.Interrupted();
                    if (silent != null) silent.consumed(si.kind(), retired, si.value());
                    retired++;
                    left--;
                    next++;
                }
                case Exit e -> {
                    next++;
                    pendingCompletion = !(e.exit() instanceof VmExit.Hlt);
                    if (e.exit() instanceof VmExit.Hlt) {
                        retired++;
                        halted.countDown();
                    }
                    return e.exit();
                }
            }
        }
        return new VmExit.Hlt(true);
    }

    /** A recording CPU other than this host's, so the window's identity is seen to come from the vCPU. */
    static final pcm.core.api.cpu.CpuIdentity IDENTITY = new pcm.core.api.cpu.CpuIdentity("AuthenticAMD", 0x00A20F10, "amd");

    @Override
    public pcm.core.api.cpu.CpuIdentity identity() { return IDENTITY; }

    @Override
    public int id() { return 0; }

    @Override
    public VmExit run() { return run(Long.MAX_VALUE, null); }

    @Override
    public void complete(VmExit exit, ExitResult result) {
        if (pendingCompletion) retired++;
        pendingCompletion = false;
    }

    @Override
    public void kick() { kicked = true; }

    @Override
    public Registers registers() {
        long n = retired;
        return new Registers(0, 0, n, 0, 0, 0, 0x9000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x1000 + n, 0x202);
    }

    @Override
    public void setRegisters(Registers regs) { }

    @Override
    public SpecialRegisters specialRegisters() { return LongModeBoot.specialRegisters(); }

    @Override
    public void setSpecialRegisters(SpecialRegisters sregs) { }

    @Override
    public byte[] fpuState() {
        byte[] f = new byte[512];
        f[0] = 0x7f;
        f[24] = (byte) 0x80; // MXCSR 0x1f80
        f[25] = 0x1f;
        return f;
    }

    @Override
    public void setFpuState(byte[] fxsave) { }

    @Override
    public long readMsr(int index) throws BackendException {
        if (index == CpuState.TSC_AUX) throw new BackendException("MSR 0x" + Integer.toHexString(index) + " refused");
        return index == CpuState.EFER ? 0xD01 : index * 3L;
    }

    @Override
    public void writeMsr(int index, long value) { }

    @Override
    public void setCpuid(CpuidMask hide) { }

    @Override
    public boolean canInjectInterrupt() { return true; }

    @Override
    public void injectInterrupt(int vector) {
        injected.add(vector);
    }

    @Override
    public void requestInterruptWindow(boolean request) { }

    @Override
    public void setSingleStep(boolean enabled) { }

    @Override
    public void close() { }
}
