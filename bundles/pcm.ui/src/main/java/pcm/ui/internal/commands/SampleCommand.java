package pcm.ui.internal.commands;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import pcm.core.api.sampling.RcpCommand;
import pcm.core.api.sampling.Sampler;
import pcm.core.api.sampling.SamplingException;
import pcm.core.api.sampling.SamplingTransition;

/**
 * {@code pcm:sample [status] | now [--insns N] [--timeout ms] | start [policy] | stop | command MTA0_...}:
 * the sampling state machine.
 */
@Component(service = SampleCommand.class, property = {"osgi.command.scope=pcm", "osgi.command.function=sample"})
public class SampleCommand extends PcmCommand {

    static final String USAGE = "usage: pcm:sample [status] | now [--insns N] [--timeout ms] | start [policy] | stop | "
            + "command MTA0_MNTR_ENTRY|MTA0_CHK_STRT|MTA0_CHK_END|MTA0_MNTR_EXT";
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    private final BundleContext context;

    @Activate
    public SampleCommand(BundleContext context) {
        this.context = context;
    }

    @Override
    protected String function() {
        return "sample";
    }

    @Override
    protected String usage() {
        return USAGE;
    }

    @Descriptor("sampling state, recent transitions and periodic sampling")
    public String sample() {
        return withSampler(s -> apply(s, "status", null, 0, 0));
    }

    @Descriptor("sampling: status | now | start | stop")
    public String sample(
            @Descriptor("window length in instructions (now); 0 = configured default") @Parameter(names = {"-n", "--insns"}, absentValue = "0") long insns,
            @Descriptor("ms to wait for the window (now); 0 = configured window timeout") @Parameter(names = {"-t", "--timeout"}, absentValue = "0") long timeout,
            @Descriptor("status|now|start|stop") String action) {
        return withSampler(s -> apply(s, action, null, insns, timeout));
    }

    @Descriptor("sampling: start <policy> | command <MTA0_...> | now <insns>")
    public String sample(@Descriptor("start|command|now") String action, @Descriptor("policy id, RCP command or length") String arg) {
        return withSampler(s -> apply(s, action, arg, 0, 0));
    }

    private interface Action {
        String run(Sampler s) throws SamplingException;
    }

    private String withSampler(Action a) {
        return Bundles.withService(context, Sampler.class, "no sampler service (pcm.core's sampler is not active)", s -> {
            try {
                return a.run(s);
            } catch (SamplingException e) {
                throw new CommandFailure("sample: " + e.getMessage() + " (state " + s.state() + ")", e);
            }
        });
    }

    static String apply(Sampler s, String action, String arg, long insns, long timeout) throws SamplingException {
        switch (action.toLowerCase(Locale.ROOT)) {
            case "status" -> {
                return status(s);
            }
            case "now" -> {
                long n = insns;
                if (arg != null) {
                    try {
                        n = Long.parseLong(arg.replace("_", ""));
                    } catch (NumberFormatException e) {
                        throw CommandFailure.usage("not a window length: '" + arg + "'. " + USAGE);
                    }
                }
                if (n < 0) throw CommandFailure.usage("a window length is at least 1 (0 = the configured default), not " + n + ". " + USAGE);
                if (timeout < 0) throw CommandFailure.usage("a timeout is at least 1 ms (0 = the configured one), not " + timeout + ". " + USAGE);
                String id = s.sampleNow(n, timeout);
                return "window " + id + " recorded" + s.windows().stream().filter(w -> w.id().equals(id)).findFirst()
                        .map(w -> ": " + w.state() + ", " + w.instructions() + " instructions, " + w.sizeBytes() + " bytes")
                        .orElse("");
            }
            case "start" -> {
                s.startPeriodic(arg);
                return "periodic sampling started" + (arg == null ? " (default policy)" : " with policy " + arg);
            }
            case "stop" -> {
                boolean was = s.periodicRunning();
                s.stopPeriodic();
                return was ? "periodic sampling stopped" : "periodic sampling was not running";
            }
            case "command" -> {
                if (arg == null) throw CommandFailure.usage("which command? " + USAGE);
                RcpCommand c;
                try {
                    c = RcpCommand.valueOf(arg.toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw CommandFailure.usage("unknown RCP command '" + arg + "'. " + USAGE);
                }
                s.command(c);
                return c + " -> " + s.state() + s.currentWindow().map(w -> " (window " + w + ")").orElse("");
            }
            default -> throw CommandFailure.usage("unknown action '" + action + "'. " + USAGE);
        }
    }

    static String status(Sampler s) {
        StringBuilder sb = new StringBuilder();
        sb.append("sampling ").append(s.state());
        s.currentWindow().ifPresent(w -> sb.append(", window ").append(w));
        sb.append(", periodic ").append(s.periodicRunning() ? "on" : "off");
        long skipped = s.skippedForVerificationBacklog();
        if (skipped > 0) sb.append(", ").append(skipped).append(" periodic windows skipped while verification was behind");
        List<SamplingTransition> ts = s.recentTransitions();
        if (!ts.isEmpty()) {
            sb.append("\nrecent transitions (UTC):");
            for (SamplingTransition t : ts) {
                sb.append("\n  ").append(TIME.format(Instant.ofEpochMilli(t.epochMillis()))).append("  ")
                        .append(String.format("%-8s -> %-8s  %-16s  %s", t.from(), t.to(), t.cause(), t.detail()));
            }
        }
        return sb.toString();
    }
}
