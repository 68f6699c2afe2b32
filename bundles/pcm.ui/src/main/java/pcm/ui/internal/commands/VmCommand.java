package pcm.ui.internal.commands;

import java.util.Locale;

import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import pcm.core.api.vm.Vm;
import pcm.core.api.vm.VmException;
import pcm.ui.internal.format.Values;
import pcm.ui.internal.format.VmReport;

/** {@code pcm:vm start|pause|resume|stop|status|regs [vcpu]|exits}: the guest VM's lifecycle. */
@Component(service = VmCommand.class, property = {"osgi.command.scope=pcm", "osgi.command.function=vm"})
public class VmCommand extends PcmCommand {

    private final BundleContext context;

    @Activate
    public VmCommand(BundleContext context) {
        this.context = context;
    }

    @Override
    protected String function() {
        return "vm";
    }

    @Override
    protected String usage() {
        return VmReport.usage();
    }

    @Descriptor("control the guest VM: status | start | pause | resume | stop | regs [vcpu] | exits")
    public String vm(@Descriptor("status|start|pause|resume|stop|regs|exits") String action) {
        return vm(action, 0);
    }

    @Descriptor("control the guest VM; the number is the vCPU for regs")
    public String vm(@Descriptor("status|start|pause|resume|stop|regs|exits") String action,
                     @Descriptor("vCPU index (regs)") int vcpu) {
        String a = action.toLowerCase(Locale.ROOT);
        if (!VmReport.ACTIONS.contains(a)) throw CommandFailure.usage("unknown action '" + action + "'. " + VmReport.usage());
        return Bundles.withService(context, Vm.class, "no VM service (pcm.core's VM manager is not active)", vm -> {
            try {
                return apply(vm, a, vcpu);
            } catch (VmException e) {
                throw new CommandFailure("vm " + a + " failed: " + e.getMessage() + " (VM state " + safeState(vm) + ")", e);
            }
        });
    }

    static String apply(Vm vm, String action, int vcpu) throws VmException {
        switch (action) {
            case "start" -> vm.start();
            case "pause" -> vm.pause();
            case "resume" -> vm.resume();
            case "stop" -> vm.stop();
            case "regs" -> {
                if (vcpu < 0 || vcpu >= vm.vcpuCount())
                    throw CommandFailure.usage("no vcpu " + vcpu + " (the VM has " + vm.vcpuCount() + ")");
                return VmReport.registers(vcpu, vm.registers(vcpu));
            }
            case "exits" -> {
                return VmReport.exits(vm.exitCounts());
            }
            default -> { /* status */ }
        }
        String reason = vm.state() == pcm.core.api.vm.VmState.STOPPED ? vm.stopReason() : null;
        return "VM " + vm.state() + (reason == null || reason.isEmpty() ? "" : " (" + reason + ")")
            + ", backend " + vm.backendDescription() + ", " + vm.vcpuCount() + " vcpu(s), "
            + Values.total(vm.exitCounts()) + " exits";
    }

    private static String safeState(Vm vm) {
        try {
            return String.valueOf(vm.state());
        } catch (RuntimeException e) {
            return "unknown";
        }
    }
}
