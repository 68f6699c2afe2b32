package pcm.ui.internal.config;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

import pcm.config.api.ConfigArchive;
import pcm.config.api.ConfigArchiveException;
import pcm.config.api.ConfigChange;
import pcm.config.api.ConfigExport;
import pcm.config.api.ConfigSnapshot;
import pcm.config.api.ImportResult;
import pcm.ui.internal.commands.CommandFailure;
import pcm.ui.internal.format.TextTable;
import pcm.ui.internal.status.ExitStatus;

/**
 * {@code pcm:config export|import|snapshot|snapshots|restore|delete-snapshot} on pcm.config's {@link ConfigArchive}:
 * a refused file, an unknown snapshot or a wrong option is USAGE (nothing changed), an I/O failure FAILED (conf/ rolled
 * back), written but not applied in time FAILED as for {@code set}. A relative file name is relative to the PCM
 * process's working directory (the resident's, when attached: give an absolute one); {@code -} is standard output.
 */
final class ArchiveActions {

    static final Set<String> ACTIONS = Set.of("export", "import", "snapshot", "snapshots", "restore", "delete-snapshot");

    private final BundleContext context;

    ArchiveActions(BundleContext context) {
        this.context = context;
    }

    /** {@code args}: the action's arguments after its name. */
    String run(String action, List<String> args) {
        int[] counts = switch (action) {
            case "export" -> new int[] {1, 3};
            case "import", "restore" -> new int[] {1, 2};
            case "snapshot" -> new int[] {0, 1};
            case "snapshots" -> new int[] {0, 0};
            case "delete-snapshot" -> new int[] {1, 1};
            default -> throw CommandFailure.usage("unknown action '" + action + "'. " + ConfigCommand.USAGE);
        };
        if (args.size() < counts[0] || args.size() > counts[1])
            throw CommandFailure.usage("wrong arguments '" + String.join(" ", args) + "' of '" + action + "'. " + ConfigCommand.USAGE);
        ServiceReference<ConfigArchive> ref = context.getServiceReference(ConfigArchive.class);
        ConfigArchive archive = ref == null ? null : context.getService(ref);
        if (archive == null) throw new CommandFailure("no configuration archive service (pcm.config is not active)");
        try {
            return switch (action) {
                case "export" -> export(archive, args);
                case "import" -> importFile(archive, args);
                case "snapshot" -> "snapshot " + shown(archive.snapshot(args.isEmpty() ? null : args.getFirst()));
                case "snapshots" -> snapshots(archive.snapshots());
                case "restore" -> {
                    boolean dryRun = options(args.subList(1, args.size()), Set.of("--dry-run"), "restore <snapshot> [--dry-run]").contains("--dry-run");
                    yield result("restored " + args.getFirst(), archive.restore(args.getFirst(), dryRun));
                }
                case "delete-snapshot" -> "deleted snapshot " + shown(archive.deleteSnapshot(args.getFirst()));
                default -> throw CommandFailure.usage("unknown action '" + action + "'. " + ConfigCommand.USAGE);
            };
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CommandFailure("interrupted while waiting for Config Admin; what was written stays written (pcm:config snapshots)", e);
        } catch (ConfigArchiveException e) {
            throw new CommandFailure(e.kind() == ConfigArchiveException.Kind.IO_FAILED ? ExitStatus.FAILED : ExitStatus.USAGE, e.getMessage(), e);
        } finally {
            context.ungetService(ref);
        }
    }

    private static Set<String> options(List<String> given, Set<String> allowed, String usage) {
        for (String o : given) if (!allowed.contains(o))
            throw CommandFailure.usage("unknown option '" + o + "'. usage: pcm:config " + usage);
        return Set.copyOf(given);
    }

    private static String export(ConfigArchive archive, List<String> args) {
        Set<String> o = options(args.subList(1, args.size()), Set.of("--all", "--with-secrets"), "export <file>|- [--all] [--with-secrets]");
        ConfigExport e = archive.export(o.contains("--all"), o.contains("--with-secrets"));
        String said = e.configurations().size() + " configuration(s)" + (e.secretsLeftOut().isEmpty() ? ""
                : "; secrets left out: " + String.join(", ", e.secretsLeftOut()) + " (--with-secrets includes them)");
        if (args.getFirst().equals("-")) return e.json().stripTrailing();
        Path file = Path.of(args.getFirst()).toAbsolutePath();
        try {
            Path tmp = Files.createTempFile(file.getParent(), ".pcm-export", ".tmp");
            try {
                // with secrets it is as secret as a snapshot
                if (o.contains("--with-secrets") && FileSystems.getDefault().supportedFileAttributeViews().contains("posix"))
                    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
                Files.writeString(tmp, e.json());
                Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException x) {
            throw new CommandFailure("cannot write " + file + ": " + x, x);
        }
        return "exported " + said + " to " + file;
    }

    private static String importFile(ConfigArchive archive, List<String> args) throws ConfigArchiveException, InterruptedException {
        boolean dryRun = options(args.subList(1, args.size()), Set.of("--dry-run"), "import <file> [--dry-run]").contains("--dry-run");
        Path file = Path.of(args.getFirst()).toAbsolutePath();
        String json;
        try {
            json = Files.readString(file);
        } catch (IOException e) {
            throw CommandFailure.usage("cannot read " + file + ": " + e.getMessage() + "; nothing changed");
        }
        return result("imported " + file, archive.importConfiguration(file.toString(), json, dryRun));
    }

    static String result(String what, ImportResult r) {
        List<String> lines = new ArrayList<>();
        if (r.changes().isEmpty()) lines.add((r.dryRun() ? "dry run: " : "") + "nothing to change: the configuration already is as in the file");
        else {
            TextTable t = r.dryRun() ? new TextTable("CONFIGURATION", "KEY", "NOW", "WOULD BE") : new TextTable("CONFIGURATION", "KEY", "WAS", "IS");
            for (ConfigChange c : r.changes()) t.row(c.configuration(), c.key(), text(c.before()), text(c.after()));
            lines.add(t.render("").stripTrailing());
            if (r.dryRun()) lines.add("dry run: " + r.changes().size() + " value(s) would change in " + r.files().size() + " file(s); nothing written");
            else lines.add(what + ": " + r.changes().size() + " value(s) changed in " + r.files().size() + " file(s) of conf/"
                    + (r.snapshotBefore() == null ? "" : "; snapshot " + r.snapshotBefore().id() + " taken before (pcm:config restore "
                    + r.snapshotBefore().id() + " undoes it)"));
        }
        if (!r.dryRun() && !r.applied()) throw new CommandFailure(String.join("\n", lines) + "\nwritten, but Config Admin did not take"
                + " every value in time (is FileInstall watching conf/? pcm.log says if a value was rejected)");
        return String.join("\n", lines);
    }

    private static String text(List<String> v) {
        return v.isEmpty() ? "(none)" : v.size() == 1 ? v.getFirst() : v.toString();
    }

    static String snapshots(List<ConfigSnapshot> all) {
        if (all.isEmpty()) return "no snapshots (pcm:config snapshot [name] takes one)";
        TextTable t = new TextTable("ID", "TAKEN", "BY", "SIZE");
        for (ConfigSnapshot s : all) t.row(s.id(), s.created().toString(), s.automatic() ? "PCM (before an import or restore)" : "operator",
                s.sizeBytes() + " B");
        return t.render("").stripTrailing();
    }

    private static String shown(ConfigSnapshot s) {
        return s.id() + " (" + s.file() + ")";
    }
}
