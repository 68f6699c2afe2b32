package pcm.core.internal.sampling;

import pcm.core.api.cpu.VirtualCpu;
import pcm.core.api.memory.GuestMemory;
import pcm.core.api.sampling.InputObserver;
import pcm.core.api.sampling.PositionCounter;
import pcm.core.api.sampling.PositionService;
import pcm.core.api.vm.VmExit;

/** An exact position service over {@link ScriptedVcpu}: counts what it retires and stops at a target. */
final class ExactTestPositionService implements PositionService {

    int started;
    int closed;
    int runUntilCalls;
    /** Whether counters report the registers before each instruction (PositionCounter.reportRegistersEveryInstruction). */
    final boolean canReportRegisters;

    ExactTestPositionService() {
        this(false);
    }

    ExactTestPositionService(boolean canReportRegisters) {
        this.canReportRegisters = canReportRegisters;
    }

    @Override
    public String id() { return "test-exact"; }

    @Override
    public boolean supports(VirtualCpu vcpu) { return vcpu instanceof ScriptedVcpu; }

    @Override
    public PositionCounter start(VirtualCpu vcpu, GuestMemory memory, InputObserver observer) {
        ScriptedVcpu cpu = (ScriptedVcpu) vcpu;
        long base = cpu.retired;
        started++;
        ScriptedVcpu.SilentListener silent = (kind, before, value) -> {
            var r = cpu.registers();
            observer.observed(kind, before - base, r.rip(), r.rcx(), 0, value, null);
        };
        return new PositionCounter() {
            boolean reporting;
            long lastReported = -1;

            @Override
            public long position() { return cpu.retired - base; }

            @Override
            public VmExit run() { return cpu.run(Long.MAX_VALUE, silent); }

            @Override
            public VmExit runUntil(long target) {
                runUntilCalls++;
                if (!reporting) {
                    long left = target - position();
                    return cpu.run(left > 0 ? left : Long.MAX_VALUE, silent);
                }
                boolean bounded = target > position();
                while (true) { // one instruction at a time, reporting the registers before each
                    if (bounded && position() >= target) return new VmExit.Interrupted();
                    if (position() > lastReported) {
                        lastReported = position();
                        observer.registers(position(), cpu.registers());
                    }
                    VmExit e = cpu.run(1, silent);
                    if (!(e instanceof VmExit.Interrupted)) return e;
                }
            }

            @Override
            public boolean reportRegistersEveryInstruction() {
                reporting = canReportRegisters;
                return reporting;
            }

            @Override
            public void close() { closed++; }
        };
    }
}
