package pcm.ui.internal.commands;

import java.io.IOException;
import java.util.List;
import java.util.Locale;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;
import pcm.core.api.sampling.SamplingException;
import pcm.core.api.sampling.WindowLogs;
import pcm.ui.internal.status.ExitStatus;
import pcm.ui.internal.status.Report;

/**
 * {@code pcm:log check [window] | show <window> | export-json <window>}: the windows' event logs. A log that is not
 * VALID makes the exit status {@link ExitStatus#DAMAGED} (the report is printed all the same).
 */
@Component(service = LogCommand.class, property = {"osgi.command.scope=pcm", "osgi.command.function=log"})
public class LogCommand extends PcmCommand {

    static final String USAGE = "usage: pcm:log check [window] | show <window> | export-json <window>";

    private final BundleContext context;

    @Activate
    public LogCommand(BundleContext context) {
        this.context = context;
    }

    @Override
    protected String function() {
        return "log";
    }

    @Override
    protected String usage() {
        return USAGE;
    }

    @Descriptor("check every window log in the store")
    public String log(CommandSession session, @Descriptor("check") String action) {
        return withLogs(l -> apply(l, action, null)).finish(session);
    }

    @Descriptor("window event logs: check, show or export one (by window id or file name)")
    public String log(CommandSession session, @Descriptor("check|show|export-json") String action,
                      @Descriptor("window id or log file name") String window) {
        return withLogs(l -> apply(l, action, window)).finish(session);
    }

    private interface Action {
        Report run(WindowLogs l) throws SamplingException, IOException;
    }

    private Report withLogs(Action a) {
        return Bundles.withService(context, WindowLogs.class, "no window log service (pcm.core's sampler is not active)", l -> {
            try {
                return a.run(l);
            } catch (SamplingException | IOException e) {
                throw new CommandFailure("log: " + e.getMessage(), e);
            }
        });
    }

    static Report apply(WindowLogs logs, String action, String window) throws SamplingException, IOException {
        String a = action.toLowerCase(Locale.ROOT);
        if (!List.of("check", "show", "export-json").contains(a))
            throw CommandFailure.usage("unknown action '" + action + "'. " + USAGE);
        if (!a.equals("check") && window == null) throw CommandFailure.usage("which window? " + USAGE);
        switch (a) {
            case "check" -> {
                if (window != null) {
                    WindowLogs.LogStatus s = logs.check(window);
                    return new Report(line(s), status(s));
                }
                List<WindowLogs.LogStatus> all = logs.checkAll();
                if (all.isEmpty()) return new Report("no window logs in " + logs.directory(), ExitStatus.OK);
                StringBuilder sb = new StringBuilder();
                for (WindowLogs.LogStatus s : all) sb.append(line(s)).append('\n');
                long bad = all.stream().filter(s -> !s.valid()).count();
                return new Report(sb.append(all.size()).append(" log(s), ").append(bad).append(" not valid").toString(),
                        bad > 0 ? ExitStatus.DAMAGED : ExitStatus.OK);
            }
            case "show" -> {
                StringBuilder sb = new StringBuilder();
                WindowLogs.LogStatus s = logs.read(window, e -> sb.append(event(e)).append('\n'));
                sb.append(line(s));
                // the window's traces (docs/sampling.md, "Tracers"): which tracers were armed, what each recorded
                for (var t : logs.traces(window)) sb.append("\ntrace ").append(t.summary());
                return new Report(sb.toString(), status(s));
            }
            default -> {
                StringBuilder sb = new StringBuilder();
                WindowLogs.LogStatus s = logs.exportJson(window, sb);
                return new Report(sb.toString().stripTrailing(), status(s));
            }
        }
    }

    /** A log that is not VALID (CORRUPT, TORN, UNREADABLE, UNSUPPORTED) is damaged data. */
    static ExitStatus status(WindowLogs.LogStatus s) {
        return s.valid() ? ExitStatus.OK : ExitStatus.DAMAGED;
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
