package pcm.core.internal.vm;

import pcm.core.api.cpu.VirtualCpu;
import pcm.core.api.exit.ExitContext;
import pcm.core.api.memory.GuestMemory;

/** The exit context of one vCPU; one instance per vCPU, reused for every exit. */
final class VcpuExitContext implements ExitContext {

    private final VirtualCpu vcpu;
    private final GuestMemory memory;

    VcpuExitContext(VirtualCpu vcpu, GuestMemory memory) {
        this.vcpu = vcpu;
        this.memory = memory;
    }

    @Override
    public int vcpuId() { return vcpu.id(); }

    @Override
    public GuestMemory memory() { return memory; }

    @Override
    public long instructionCount() { return vcpu.instructionCount(); }
}
