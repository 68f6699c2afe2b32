package pcm.ui.internal.commands;

import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import pcm.core.api.verify.Verdict;
import pcm.core.api.verify.VerificationService;
import pcm.core.api.verify.VerificationService.VerificationException;

/** {@code pcm:verify <window> [--rcp id]}: replays one window now, showing progress, and prints the verdict. */
@Component(service = VerifyCommand.class, property = {"osgi.command.scope=pcm", "osgi.command.function=verify"})
public class VerifyCommand {

    private static final long PROGRESS_EVERY_NANOS = 1_000_000_000L;

    private final BundleContext context;

    @Activate
    public VerifyCommand(BundleContext context) {
        this.context = context;
    }

    @Descriptor("verify a recorded window now with one verifier (or each configured one)")
    public String verify(
            @Descriptor("verifier (RCP) id; absent = each configured verifier") @Parameter(names = {"-r", "--rcp"}, absentValue = "") String rcp,
            @Descriptor("window id (see pcm:windows)") String window) {
        return Bundles.withService(context, VerificationService.class,
                "no verification service (pcm.core's verification is not active)", service -> {
            PrintStream out = System.out;
            AtomicLong lastPrint = new AtomicLong(System.nanoTime());
            try {
                Verdict v = service.verify(window, rcp.isEmpty() ? null : rcp, position -> {
                    long now = System.nanoTime();
                    long last = lastPrint.get();
                    if (now - last >= PROGRESS_EVERY_NANOS && lastPrint.compareAndSet(last, now)) {
                        out.println("  replayed " + position + " instructions ...");
                        out.flush();
                    }
                });
                return format(v);
            } catch (VerificationException e) {
                throw new CommandFailure("verify failed: " + e.getMessage(), e);
            }
        });
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
