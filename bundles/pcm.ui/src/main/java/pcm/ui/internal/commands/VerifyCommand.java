package pcm.ui.internal.commands;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import java.util.stream.Collectors;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import pcm.core.api.verify.Outcome;
import pcm.core.api.verify.Verdict;
import pcm.core.api.verify.VerificationService;
import pcm.core.api.verify.VerificationService.VerificationException;
import pcm.ui.internal.status.ExitStatus;
import pcm.ui.internal.status.Report;

/**
 * {@code pcm:verify <window> [--rcp id]}: replays one window now with the verifier named or each configured one,
 * showing progress, and prints the verdicts; the exit status says DIVERGED, INCONCLUSIVE ({@link ExitStatus#UNVERIFIED})
 * or all MATCH.
 */
@Component(service = VerifyCommand.class, property = {"osgi.command.scope=pcm", "osgi.command.function=verify"})
public class VerifyCommand extends PcmCommand {

    private static final long PROGRESS_EVERY_NANOS = 1_000_000_000L;

    private final BundleContext context;

    @Activate
    public VerifyCommand(BundleContext context) {
        this.context = context;
    }

    static final String USAGE = "usage: pcm:verify [--rcp verifier] <window>   (pcm:windows lists the windows)";

    @Override
    protected String function() {
        return "verify";
    }

    @Override
    protected String usage() {
        return USAGE;
    }

    @Descriptor("verify a recorded window now with one verifier (or each configured one)")
    public String verify(CommandSession session,
            @Descriptor("verifier (RCP) id; absent = each configured verifier") @Parameter(names = {"-r", "--rcp"}, absentValue = "") String rcp,
            @Descriptor("window id (see pcm:windows)") String window) {
        return Bundles.withService(context, VerificationService.class,
                "no verification service (pcm.core's verification is not active)", service -> {
            PrintStream out = System.out;
            AtomicLong lastPrint = new AtomicLong(System.nanoTime());
            LongConsumer progress = position -> {
                long now = System.nanoTime();
                long last = lastPrint.get();
                if (now - last >= PROGRESS_EVERY_NANOS && lastPrint.compareAndSet(last, now)) {
                    out.println("  replayed " + position + " instructions ...");
                    out.flush();
                }
            };
            // each verifier in turn here, not the service's null (which returns only the last verdict): every one counts
            List<String> rcps = rcp.isEmpty() ? service.configuredVerifiers() : List.of(rcp);
            if (rcps.isEmpty()) throw new CommandFailure(ExitStatus.UNVERIFIED, "no verifiers configured (pcm.verification verifiers)");
            List<Verdict> verdicts = new ArrayList<>();
            try {
                for (String r : rcps) verdicts.add(service.verify(window, r, progress));
            } catch (VerificationException e) {
                throw new CommandFailure(failureStatus(e), "verify failed: " + e.getMessage(), e);
            }
            return report(verdicts).finish(session);
        });
    }

    /** The verdicts' text and status: any DIVERGED is {@link ExitStatus#DIVERGED}, any INCONCLUSIVE {@link ExitStatus#UNVERIFIED}. */
    static Report report(List<Verdict> verdicts) {
        ExitStatus status = verdicts.isEmpty() ? ExitStatus.UNVERIFIED : ExitStatus.OK;
        for (Verdict v : verdicts) status = ExitStatus.worst(status, status(v.outcome()));
        return new Report(verdicts.stream().map(VerifyCommand::format).collect(Collectors.joining("\n")), status);
    }

    static ExitStatus status(Outcome o) {
        return switch (o) {
            case MATCH -> ExitStatus.OK;
            case DIVERGED -> ExitStatus.DIVERGED;
            case INCONCLUSIVE -> ExitStatus.UNVERIFIED;
        };
    }

    /** A window or verifier the operator named that does not exist is an operator error; anything else a failure. */
    static ExitStatus failureStatus(VerificationException e) {
        String m = String.valueOf(e.getMessage());
        return m.startsWith("no window '") || m.startsWith("no verifier '") ? ExitStatus.USAGE : ExitStatus.FAILED;
    }

    /** The main job's verdict line, plus where and what for a divergence. */
    static String format(Verdict v) {
        StringBuilder s = new StringBuilder("window ").append(v.windowId()).append(' ').append(v.outcome())
                .append(" rcp=").append(v.rcp()).append(" insns=").append(v.instructions());
        v.divergence().ifPresent(d -> {
            s.append("\n  first divergence at instruction ").append(d.position()).append(", rip=0x").append(Long.toHexString(d.rip()));
            d.differences().forEach(x -> s.append("\n    ").append(x));
        });
        if (!v.detail().isEmpty()) s.append("\n  ").append(v.detail());
        return s.toString();
    }
}
