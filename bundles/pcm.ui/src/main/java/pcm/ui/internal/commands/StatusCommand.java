package pcm.ui.internal.commands;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import pcm.branding.api.Branding;
import pcm.core.api.cpu.HostInfo;
import pcm.core.api.cpu.Hypervisor;
import pcm.core.api.exit.ExitDispatcher;
import pcm.core.api.vm.ExitKind;
import pcm.core.api.vm.Vm;
import pcm.ui.internal.format.StatusReport;

/** {@code pcm:status}: the kernel's state at a glance. */
@Component(service = StatusCommand.class, property = {"osgi.command.scope=pcm", "osgi.command.function=status"})
public class StatusCommand extends PcmCommand {

    private final BundleContext context;
    /** The heading's banner and product name: the highest-ranked branding, followed live. */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile Branding branding;

    @Activate
    public StatusCommand(BundleContext context) {
        this.context = context;
    }

    @Override
    protected String function() {
        return "status";
    }

    @Override
    protected String usage() {
        return "usage: pcm:status   (no arguments)";
    }

    @Descriptor("kernel state: framework, pcm.* bundles, backends and their host info, VM, exit dispatcher")
    public String status() {
        Branding b = branding;
        return Banner.of(b) + "\n" + gather().render(Banner.productName(b));
    }

    StatusReport gather() {
        Bundle system = context.getBundle(0);
        Bundle[] all = context.getBundles();
        FrameworkStartLevel fsl = system.adapt(FrameworkStartLevel.class);
        StatusReport.Framework fw = new StatusReport.Framework(
            system.getSymbolicName() + " " + system.getVersion(),
            Bundles.state(system), fsl == null ? -1 : fsl.getStartLevel(), all.length,
            (int) Arrays.stream(all).filter(b -> b.getState() == Bundle.ACTIVE).count(),
            context.getProperty("pcm.data"), context.getProperty(Constants.FRAMEWORK_STORAGE));

        List<StatusReport.BundleRow> pcm = Arrays.stream(all)
            .filter(b -> b.getSymbolicName() != null && b.getSymbolicName().startsWith("pcm."))
            .sorted(Comparator.comparingLong(Bundle::getBundleId))
            .map(b -> new StatusReport.BundleRow(b.getBundleId(), b.getSymbolicName(), b.getVersion().toString(), Bundles.state(b)))
            .toList();

        return new StatusReport(fw, pcm, backends(), vm(), dispatcher());
    }

    private List<StatusReport.Backend> backends() {
        List<StatusReport.Backend> out = new ArrayList<>();
        try {
            for (ServiceReference<Hypervisor> ref : context.getServiceReferences(Hypervisor.class, null)) {
                String bundle = Bundles.name(ref.getBundle());
                Object idProp = ref.getProperty(Hypervisor.ID);
                Hypervisor h = context.getService(ref);
                if (h == null) continue;
                try {
                    String id = idProp != null ? String.valueOf(idProp) : h.id();
                    try {
                        HostInfo info = h.hostInfo();
                        out.add(new StatusReport.Backend(id, bundle, info.available(), String.valueOf(info.kind()),
                            info.description(), info.problem(), null));
                    } catch (RuntimeException e) {
                        out.add(new StatusReport.Backend(id, bundle, false, null, null, null, String.valueOf(e)));
                    }
                } finally {
                    context.ungetService(ref);
                }
            }
        } catch (org.osgi.framework.InvalidSyntaxException impossible) {
            throw new IllegalStateException(impossible);
        }
        out.sort(Comparator.comparing(StatusReport.Backend::id));
        return out;
    }

    private StatusReport.VmInfo vm() {
        ServiceReference<Vm> ref = context.getServiceReference(Vm.class);
        if (ref == null) return null;
        Vm vm = context.getService(ref);
        if (vm == null) return null;
        try {
            return new StatusReport.VmInfo(String.valueOf(vm.state()), vm.backendDescription(), vm.vcpuCount(),
                vm.exitCounts(), null);
        } catch (RuntimeException e) {
            return new StatusReport.VmInfo(null, null, 0, null, String.valueOf(e));
        } finally {
            context.ungetService(ref);
        }
    }

    private StatusReport.DispatcherInfo dispatcher() {
        ServiceReference<ExitDispatcher> ref = context.getServiceReference(ExitDispatcher.class);
        if (ref == null) return null;
        ExitDispatcher d = context.getService(ref);
        if (d == null) return null;
        try {
            Map<ExitKind, List<String>> handlers = new LinkedHashMap<>();
            for (ExitKind k : ExitKind.values()) handlers.put(k, d.handlers(k));
            return new StatusReport.DispatcherInfo(d.dispatched(), d.unhandled(), d.failures(), handlers);
        } finally {
            context.ungetService(ref);
        }
    }
}
