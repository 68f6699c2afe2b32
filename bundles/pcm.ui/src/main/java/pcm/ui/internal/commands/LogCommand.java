package pcm.ui.internal.commands;

import java.io.IOException;
import java.util.List;
import java.util.Locale;

import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;
import pcm.core.api.sampling.SamplingException;
import pcm.core.api.sampling.WindowLogs;

/** {@code pcm:log check [window] | show <window> | export-json <window>}: the windows' event logs. */
@Component(service = LogCommand.class, property = {"osgi.command.scope=pcm", "osgi.command.function=log"})
public class LogCommand {

    static final String USAGE = "usage: pcm:log check [window] | show <window> | export-json <window>";

    private final BundleContext context;

    @Activate
    public LogCommand(BundleContext context) {
        this.context = context;
    }

    @Descriptor("check every window log in the store")
    public String log(@Descriptor("check") String action) {
        return withLogs(l -> apply(l, action, null));
    }

    @Descriptor("window event logs: check, show or export one (by window id or file name)")
    public String log(@Descriptor("check|show|export-json") String action, @Descriptor("window id or log file name") String window) {
        return withLogs(l -> apply(l, action, window));
    }

    private interface Action {
        String run(WindowLogs l) throws SamplingException, IOException;
    }

    private String withLogs(Action a) {
        return Bundles.withService(context, WindowLogs.class, "no window log service (pcm.core's sampler is not active)", l -> {
            try {
                return a.run(l);
            } catch (SamplingException | IOException e) {
                throw new CommandFailure("log: " + e.getMessage(), e);
            }
        });
    }

    static String apply(WindowLogs logs, String action, String window) throws SamplingException, IOException {
        String a = action.toLowerCase(Locale.ROOT);
        if (!a.equals("check") && window == null) throw new CommandFailure("which window? " + USAGE);
        switch (a) {
            case "check" -> {
                if (window != null) return line(logs.check(window));
                List<WindowLogs.LogStatus> all = logs.checkAll();
                if (all.isEmpty()) return "no window logs in " + logs.directory();
                StringBuilder sb = new StringBuilder();
                for (WindowLogs.LogStatus s : all) sb.append(line(s)).append('\n');
                long bad = all.stream().filter(s -> !s.valid()).count();
                return sb.append(all.size()).append(" log(s), ").append(bad).append(" not valid").toString();
            }
            case "show" -> {
                StringBuilder sb = new StringBuilder();
                WindowLogs.LogStatus s = logs.read(window, e -> sb.append(event(e)).append('\n'));
                return sb.append(line(s)).toString();
            }
            case "export-json" -> {
                StringBuilder sb = new StringBuilder();
                logs.exportJson(window, sb);
                return sb.toString().stripTrailing();
            }
            default -> throw new CommandFailure("unknown action '" + action + "'. " + USAGE);
        }
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    static String line(WindowLogs.LogStatus s) {
        return s.status() + " " + s.file() + " window=" + s.windowId() + " backend=" + s.backend() + " events=" + s.events()
                + " bytes=" + s.bytes() + (s.problem() == null ? "" : " problem: " + s.problem())
                + (s.streamCheck() == null ? "" : " check=" + s.streamCheck() + (WindowLogs.LogStatus.LENGTHS.equals(s.streamCheck())
                        ? " (older format: reordered or exchanged records of equal length are not detected)" : ""));
    }

    static String event(PcmEvent e) {
        String text = e.kind() == EventKind.STATE || e.kind() == EventKind.END
                ? " \"" + new String(e.data(), java.nio.charset.StandardCharsets.UTF_8) + "\""
                : e.data().length == 0 ? "" : " data=" + e.data().length + "B";
        return String.format("%10d %-10s rip=%s rcx=%s addr=%s value=%s%s", e.position(), e.kind(), hex(e.rip()),
                hex(e.rcx()), hex(e.address()), hex(e.value()), text);
    }
}
