package pcm.ui.internal.commands;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import pcm.core.api.event.EventKind;
import pcm.core.api.sampling.Sampler;
import pcm.core.api.sampling.WindowInfo;
import pcm.core.api.verify.Verdict;
import pcm.core.api.verify.VerificationService;
import pcm.ui.internal.format.TextTable;

/** {@code pcm:windows}: the sampling windows in the store, oldest first. */
@Component(service = WindowsCommand.class, property = {"osgi.command.scope=pcm", "osgi.command.function=windows",
        "osgi.command.function=windowids"})
public class WindowsCommand extends PcmCommand {

    private final BundleContext context;

    @Activate
    public WindowsCommand(BundleContext context) {
        this.context = context;
    }

    @Override
    protected String function() {
        return "windows";
    }

    @Override
    protected String usage() {
        return "usage: pcm:windows   (no arguments)";
    }

    @Descriptor("sampling windows: id, state, instructions, events by kind, size, verdicts")
    public String windows() {
        return Bundles.withService(context, Sampler.class, "no sampler service (pcm.core's sampler is not active)",
                s -> render(withVerdicts(s.windows())));
    }

    @Descriptor("the ids of the stored windows, oldest first (what the shell completes window arguments with)")
    public List<String> windowids() {
        return Bundles.withService(context, Sampler.class, "no sampler service (pcm.core's sampler is not active)",
                s -> s.windows().stream().map(WindowInfo::id).toList());
    }

    /** Verdicts live in the verification service (stored beside the windows); the sampler knows only the windows. */
    private List<WindowInfo> withVerdicts(List<WindowInfo> windows) {
        ServiceReference<VerificationService> ref = context.getServiceReference(VerificationService.class);
        VerificationService v = ref == null ? null : context.getService(ref);
        if (v == null) return windows;
        try {
            return windows.stream().map(w -> w.verdicts().isEmpty()
                    ? w.withVerdicts(v.verdicts(w.id()))
                    : w).toList();
        } finally {
            context.ungetService(ref);
        }
    }

    static String render(List<WindowInfo> windows) {
        if (windows.isEmpty()) return "no windows";
        boolean traced = windows.stream().anyMatch(w -> !w.traces().isEmpty());
        TextTable t = traced
                ? new TextTable("WINDOW", "STATE", "BACKEND", "INSNS", "EVENTS", "BYTES", "TRACES", "VERDICT")
                : new TextTable("WINDOW", "STATE", "BACKEND", "INSNS", "EVENTS", "BYTES", "VERDICT");
        for (WindowInfo w : windows) {
            String insns = w.instructions() < 0 ? "-" : Long.toString(w.instructions());
            if (traced) {
                t.row(w.id(), w.state(), w.backend(), insns, events(w.eventCounts()), Long.toString(w.sizeBytes()),
                        traces(w.traces()), verdicts(w.verdicts()));
            } else {
                t.row(w.id(), w.state(), w.backend(), insns, events(w.eventCounts()), Long.toString(w.sizeBytes()),
                        verdicts(w.verdicts()));
            }
        }
        return t.render("") + windows.size() + " window(s)";
    }

    static String events(Map<EventKind, Long> counts) {
        String s = counts.entrySet().stream().filter(e -> e.getKey() != EventKind.STATE && e.getKey() != EventKind.END)
                .map(e -> e.getKey().name().toLowerCase() + "=" + e.getValue()).collect(Collectors.joining(","));
        return s.isEmpty() ? "-" : s;
    }

    /** Per tracer armed: {@code mtr:1234r/19744B}, {@code +N-dropped} on overflow, or its status (FAILED, UNAVAILABLE). */
    static String traces(List<WindowInfo.TraceInfo> ts) {
        if (ts.isEmpty()) return "-";
        return ts.stream().map(t -> t.tracerId() + ":" + ("COMPLETE".equals(t.status())
                ? t.records() + "r/" + t.bytes() + "B" + (t.dropped() > 0 ? "+" + t.dropped() + "-dropped" : "")
                : t.status())).collect(Collectors.joining(","));
    }

    static String verdicts(List<Verdict> vs) {
        if (vs == null || vs.isEmpty()) return "-";
        return vs.stream().map(v -> v.rcp() + ":" + v.outcome()).collect(Collectors.joining(","));
    }
}
