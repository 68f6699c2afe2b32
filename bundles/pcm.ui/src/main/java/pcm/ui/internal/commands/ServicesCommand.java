package pcm.ui.internal.commands;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import pcm.core.api.bus.IoBus;
import pcm.core.api.bus.IoDevice;
import pcm.core.api.bus.IoRange;
import pcm.core.api.cpu.Hypervisor;
import pcm.core.api.event.EventSink;
import pcm.core.api.exit.ExitDispatcher;
import pcm.core.api.exit.ExitHandler;
import pcm.core.api.guest.GuestImage;
import pcm.core.api.irq.InterruptController;
import pcm.core.api.memory.GuestMemoryProvider;
import pcm.core.api.passthrough.PassthroughBackend;
import pcm.core.api.tracer.Tracer;
import pcm.core.api.verify.ReplayStrategy;
import pcm.core.api.verify.ReplayVerifier;
import pcm.core.api.vm.Platform;
import pcm.core.api.vm.Vm;
import pcm.ui.internal.format.ServicesReport;

/** {@code pcm:services}: every PCM service, its properties, ranking and providing bundle. */
@Component(service = ServicesCommand.class, property = {"osgi.command.scope=pcm", "osgi.command.function=services"})
public class ServicesCommand extends PcmCommand {

    /** The kinds shown, in this order: the extension points first, then the kernel's own services. */
    static final List<Class<?>> KINDS = List.of(ExitHandler.class, EventSink.class, IoDevice.class,
        PassthroughBackend.class, Tracer.class, ReplayVerifier.class, ReplayStrategy.class, Hypervisor.class,
        GuestImage.class, InterruptController.class,
        ExitDispatcher.class, IoBus.class, GuestMemoryProvider.class, Platform.class, Vm.class);

    private final BundleContext context;

    @Activate
    public ServicesCommand(BundleContext context) {
        this.context = context;
    }

    @Override
    protected String function() {
        return "services";
    }

    @Override
    protected String usage() {
        return "usage: pcm:services [part of a kind name]";
    }

    @Descriptor("list every PCM service (handlers, sinks, devices, backends, tracers, verifiers, ...) with its bundle")
    public String services() {
        return services(null);
    }

    @Descriptor("list the PCM services of the kinds whose name contains the given text (e.g. handler, device)")
    public String services(@Descriptor("part of a kind name, case-insensitive") String kind) {
        List<Class<?>> kinds = KINDS.stream()
            .filter(k -> kind == null || k.getSimpleName().toLowerCase(Locale.ROOT).contains(kind.toLowerCase(Locale.ROOT)))
            .toList();
        if (kinds.isEmpty())
            throw new CommandFailure("no service kind matches '" + kind + "'; kinds: "
                + KINDS.stream().map(Class::getSimpleName).collect(Collectors.joining(", ")));
        ServicesReport report = new ServicesReport(kinds.stream().map(Class::getSimpleName).toList());
        for (Class<?> k : kinds) rows(k).forEach(report::add);
        return report.render();
    }

    private List<ServicesReport.Row> rows(Class<?> kind) {
        List<ServicesReport.Row> rows = new ArrayList<>();
        ServiceReference<?>[] refs;
        try {
            refs = context.getAllServiceReferences(kind.getName(), null);
        } catch (InvalidSyntaxException impossible) {
            throw new IllegalStateException(impossible);
        }
        if (refs == null) return rows;
        for (ServiceReference<?> ref : refs) {
            Map<String, Object> props = new LinkedHashMap<>();
            for (String key : ref.getPropertyKeys()) props.put(key, ref.getProperty(key));
            rows.add(new ServicesReport.Row(kind.getSimpleName(), Bundles.serviceId(ref), Bundles.ranking(ref),
                Bundles.name(ref.getBundle()), ref.getBundle() == null ? -1 : ref.getBundle().getBundleId(),
                props, detail(kind, ref)));
        }
        return rows;
    }

    /** What the service says about itself; only asked of services in our class space. */
    private String detail(Class<?> kind, ServiceReference<?> ref) {
        if (kind != IoDevice.class) return "";
        if (ref.getBundle() == null || !ref.isAssignableTo(context.getBundle(), kind.getName())) return "";
        Object service = context.getService(ref);
        if (service == null) return "";
        try {
            IoDevice device = (IoDevice) service;
            List<IoRange> ranges = device.ranges();
            return device.name() + " ranges=" + ranges;
        } catch (RuntimeException e) {
            return "(device failed: " + e + ")";
        } finally {
            context.ungetService(ref);
        }
    }
}
