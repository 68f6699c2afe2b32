package pcm.itests.late;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;

import pcm.core.api.cpu.BackendException;
import pcm.core.api.cpu.HostInfo;
import pcm.core.api.cpu.Hypervisor;
import pcm.core.api.cpu.VirtualMachine;

/** A backend ({@code pcm.backend.id=late}) that exists once {@link SlowProbe} has configured it. It runs nothing. */
@Component(service = Hypervisor.class, property = Hypervisor.ID + "=" + LateHypervisor.ID, configurationPid = LateHypervisor.PID,
    configurationPolicy = ConfigurationPolicy.REQUIRE)
public class LateHypervisor implements Hypervisor {

    public static final String ID = "late";
    public static final String PID = "pcm.itests.late";

    @Override
    public String id() { return ID; }

    @Override
    public HostInfo hostInfo() {
        return new HostInfo(false, HostInfo.Kind.NONE, "late test backend", "a test fixture: runs no guest");
    }

    @Override
    public VirtualMachine createVm() throws BackendException {
        throw new BackendException("the late test backend runs no guest");
    }
}
