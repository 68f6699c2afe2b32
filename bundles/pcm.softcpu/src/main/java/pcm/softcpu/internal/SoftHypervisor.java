package pcm.softcpu.internal;

import org.osgi.service.component.annotations.Component;

import pcm.core.api.cpu.HostInfo;
import pcm.core.api.cpu.Hypervisor;
import pcm.core.api.cpu.VirtualMachine;

/** The software x86-64 CPU backend: runs anywhere, interprets every instruction. */
@Component(service = Hypervisor.class, property = Hypervisor.ID + "=" + SoftHypervisor.ID)
public final class SoftHypervisor implements Hypervisor {

    public static final String ID = "soft";

    @Override
    public String id() { return ID; }

    @Override
    public HostInfo hostInfo() {
        return new HostInfo(true, HostInfo.Kind.SOFTWARE,
                "software x86-64 interpreter (64-bit long mode, integer instructions, exact instruction count)", null);
    }

    @Override
    public VirtualMachine createVm() { return new SoftVm(); }
}
