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
            @Override
            public long position() { return cpu.retired - base; }

            @Override
            public VmExit run() { return cpu.run(Long.MAX_VALUE, silent); }

            @Override
            public VmExit runUntil(long target) {
                long left = target - position();
                return cpu.run(left > 0 ? left : Long.MAX_VALUE, silent);
            }

            @Override
            public void close() { closed++; }
        };
    }
}
