package pcm.ui.internal.commands;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import pcm.core.api.verify.Verdict;
import pcm.ui.api.evidence.Evidence;
import pcm.ui.api.evidence.EvidenceBundle;
import pcm.ui.api.evidence.EvidenceException;
import pcm.ui.internal.evidence.EvidenceFormat;
import pcm.ui.internal.status.ExitStatus;
import pcm.ui.internal.status.Report;

/**
 * {@code pcm:evidence export <window> [file] | import [--replace] <file> | check <file> | list}: a window's evidence
 * bundle (docs/evidence-format.md) — written for a vendor, checked, or imported into this data directory's store so
 * {@code pcm:verify} replays it here. A damaged, truncated or foreign archive is {@link ExitStatus#DAMAGED} with what is
 * wrong; a window that is not there, or is there already, is an operator error.
 */
@Component(service = EvidenceCommand.class, property = {"osgi.command.scope=pcm", "osgi.command.function=evidence"})
public class EvidenceCommand extends PcmCommand {

    static final String USAGE = "usage: pcm:evidence export <window> [file] | import [--replace] <file> | check <file> | list"
            + "   (export without a file: into <data>/evidence/, what the Redfish API serves)";

    private final BundleContext context;

    @Activate
    public EvidenceCommand(BundleContext context) {
        this.context = context;
    }

    @Override
    protected String function() {
        return "evidence";
    }

    @Override
    protected String usage() {
        return USAGE;
    }

    @Descriptor("list the collected evidence bundles (<data>/evidence/)")
    public String evidence(CommandSession session,
            @Descriptor("overwrite a window of the same id (import)") @Parameter(names = {"--replace"}, presentValue = "true", absentValue = "false") boolean replace,
            @Descriptor("list") String action) {
        return run(session, action, replace, null, null);
    }

    @Descriptor("export a window's evidence bundle, or check or import one")
    public String evidence(CommandSession session,
            @Descriptor("overwrite a window of the same id (import)") @Parameter(names = {"--replace"}, presentValue = "true", absentValue = "false") boolean replace,
            @Descriptor("export|import|check") String action, @Descriptor("window id (export) or archive file") String argument) {
        return run(session, action, replace, argument, null);
    }

    @Descriptor("export a window's evidence bundle to a file")
    public String evidence(CommandSession session,
            @Descriptor("overwrite a window of the same id (import)") @Parameter(names = {"--replace"}, presentValue = "true", absentValue = "false") boolean replace,
            @Descriptor("export") String action, @Descriptor("window id") String window, @Descriptor("archive file to write") String file) {
        return run(session, action, replace, window, file);
    }

    private String run(CommandSession session, String action, boolean replace, String argument, String file) {
        String a = action.toLowerCase(Locale.ROOT);
        if (!List.of("export", "import", "check", "list").contains(a)) throw CommandFailure.usage("unknown action '" + action + "'. " + USAGE);
        if (a.equals("list") && argument != null || !a.equals("list") && argument == null || file != null && !a.equals("export")
                || replace && !a.equals("import"))
            throw CommandFailure.usage("wrong arguments for " + a + ". " + USAGE);
        return Bundles.withService(context, Evidence.class, "no evidence service (pcm.ui's EvidenceService is not active)",
                e -> apply(e, a, replace, argument, file)).finish(session);
    }

    static Report apply(Evidence evidence, String action, boolean replace, String argument, String file) {
        try {
            return switch (action) {
                case "export" -> {
                    EvidenceBundle b = file == null ? evidence.collect(argument) : evidence.export(argument, Path.of(file).toAbsolutePath());
                    yield new Report("evidence of window " + b.windowId() + " written to " + b.file() + "\n" + describe(b), ExitStatus.OK);
                }
                case "import" -> {
                    EvidenceBundle b = evidence.importWindow(Path.of(argument).toAbsolutePath(), replace);
                    String rcps = b.verdicts().stream().map(Verdict::rcp).distinct().collect(Collectors.joining(","));
                    yield new Report("imported window " + b.windowId() + " from " + b.file() + "\n" + describe(b)
                            + "\nreplay it here: pcm:verify " + b.windowId()
                            + (rcps.isEmpty() ? "" : "   (the recorded verdicts are of: " + rcps + "; pcm:verify --rcp <verifier> " + b.windowId() + ")"),
                            ExitStatus.OK);
                }
                case "check" -> {
                    EvidenceBundle b = evidence.check(Path.of(argument).toAbsolutePath());
                    StringBuilder s = new StringBuilder("VALID ").append(b.file()).append('\n').append(describe(b));
                    for (EvidenceBundle.Member m : b.members())
                        s.append("\n  ").append(m.sha256()).append("  ").append(m.path()).append(" (").append(m.bytes()).append(" bytes)");
                    b.hostFacts().forEach((k, v) -> s.append("\n  ").append(k).append(" = ").append(v));
                    yield new Report(s.toString(), ExitStatus.OK);
                }
                default -> {
                    List<EvidenceBundle> all = evidence.collected();
                    if (all.isEmpty()) yield new Report("no evidence bundles collected", ExitStatus.OK);
                    yield new Report(all.stream().map(b -> b.id() + "  window " + b.windowId() + "  " + b.created() + "  " + b.bytes()
                            + " bytes  " + verdicts(b.verdicts())).collect(Collectors.joining("\n")) + "\n" + all.size() + " bundle(s)", ExitStatus.OK);
                }
            };
        } catch (EvidenceException e) {
            throw new CommandFailure(status(e.problem()), "evidence " + action + ": " + e.getMessage()
                    + " [" + e.problem() + (e.member() == null ? "" : ", member " + e.member()) + "]");
        }
    }

    /** Damaged, cut short, foreign archives are damaged data; a window not there or there already, the operator's error. */
    static ExitStatus status(EvidenceException.Problem p) {
        return switch (p) {
            case FOREIGN, TRUNCATED, UNSUPPORTED_VERSION, MISSING_MEMBER, DAMAGED_MEMBER, UNLISTED_MEMBER -> ExitStatus.DAMAGED;
            case NO_WINDOW, WINDOW_EXISTS -> ExitStatus.USAGE;
            case WINDOW_NOT_READY, FAILED -> ExitStatus.FAILED;
        };
    }

    static String describe(EvidenceBundle b) {
        return "  format " + EvidenceFormat.FORMAT + " " + b.formatVersion() + ", " + b.members().size() + " members, " + b.bytes()
                + " bytes, sha256 " + b.sha256() + "\n  recorded verdicts: " + verdicts(b.verdicts());
    }

    static String verdicts(List<Verdict> vs) {
        return vs.isEmpty() ? "none" : vs.stream().map(EvidenceFormat::describe).collect(Collectors.joining("; "));
    }
}
