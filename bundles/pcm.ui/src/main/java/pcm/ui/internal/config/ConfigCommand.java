package pcm.ui.internal.config;

import java.util.List;
import java.util.Map;

import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import pcm.config.api.ChangeResult;
import pcm.config.api.Setting;
import pcm.config.api.Settings;
import pcm.config.api.SettingsException;
import pcm.config.api.SettingsPid;
import pcm.ui.internal.commands.CommandFailure;
import pcm.ui.internal.commands.PcmCommand;
import pcm.ui.internal.format.TextTable;
import pcm.ui.internal.status.ExitStatus;

/**
 * {@code pcm:config}: a component's settings, through pcm.config's {@link Settings} service (the one the Redfish API
 * and the web console use): {@code set} is checked against the metatype, written to {@code <data>/conf/} and returns
 * once Config Admin has it. A refused value is a USAGE failure naming PID, key, value and why; nothing is changed.
 */
@Component(service = ConfigCommand.class, property = {"osgi.command.scope=pcm", "osgi.command.function=config"})
public class ConfigCommand extends PcmCommand {

    static final String USAGE = "usage: pcm:config [list] | show <pid> | set <pid> <key> <value>   (lists: a,b,c)"
            + " | export <file>|- [--all] [--with-secrets] | import <file> [--dry-run] | snapshot [name] | snapshots"
            + " | restore <snapshot> [--dry-run] | delete-snapshot <snapshot>";

    private final BundleContext context;

    @Activate
    public ConfigCommand(BundleContext context) {
        this.context = context;
    }

    @Override
    protected String function() {
        return "config";
    }

    @Override
    protected String usage() {
        return USAGE;
    }

    @Descriptor("the configurable components (PIDs with a metatype)")
    public Object config() {
        return config("list");
    }

    @Descriptor("list | pids (for completion) | snapshots | snapshot (take one, unnamed)")
    public Object config(@Descriptor("list|pids|snapshots|snapshot") String action) {
        return switch (action) {
            case "list" -> withSettings(ConfigCommand::list);
            case "pids" -> withSettings(s -> s.list().stream().map(SettingsPid::pid).toList());
            case "snapshots", "snapshot" -> archive().run(action, List.of());
            default -> throw CommandFailure.usage((ArchiveActions.ACTIONS.contains(action) || action.equals("show") || action.equals("set")
                    ? "missing arguments of '" + action + "'. " : "unknown action '" + action + "'. ") + USAGE);
        };
    }

    @Descriptor("show <pid> | export <file> | import <file> | snapshot <name> | restore <snapshot> | delete-snapshot <snapshot>")
    public String config(@Descriptor("show|export|import|snapshot|restore|delete-snapshot") String action,
                         @Descriptor("PID, file or snapshot") String pid) {
        if (ArchiveActions.ACTIONS.contains(action)) return archive().run(action, List.of(pid));
        if (!action.equals("show")) throw CommandFailure.usage("unknown action '" + action + "'. " + USAGE);
        return withSettings(s -> show(s.get(pid).orElseThrow(() -> CommandFailure.usage("no configurable component '" + pid
                + "' (pcm:config list)"))));
    }

    @Descriptor("export <file> --all|--with-secrets | import <file> --dry-run | restore <snapshot> --dry-run")
    public String config(@Descriptor("export|import|restore") String action, @Descriptor("file or snapshot") String target,
                         @Descriptor("option") String option) {
        if (!ArchiveActions.ACTIONS.contains(action)) throw CommandFailure.usage("unknown action '" + action + "'. " + USAGE);
        return archive().run(action, List.of(target, option));
    }

    @Descriptor("set one setting: checked against the metatype, written to <data>/conf/<pid>.config, applied;"
            + " or export <file> --all --with-secrets")
    public String config(@Descriptor("set|export") String action, @Descriptor("PID or file") String pid, @Descriptor("key or option") String key,
                         @Descriptor("value (a list: comma-separated) or option") String value) throws InterruptedException {
        if (ArchiveActions.ACTIONS.contains(action)) return archive().run(action, List.of(pid, key, value));
        if (!action.equals("set")) throw CommandFailure.usage("unknown action '" + action + "'. " + USAGE);
        ServiceReference<Settings> ref = context.getServiceReference(Settings.class);
        Settings s = ref == null ? null : context.getService(ref);
        if (s == null) throw new CommandFailure("no settings service (pcm.config is not active)");
        ChangeResult r;
        try {
            r = s.change(pid, Map.of(key, value));
        } catch (SettingsException e) {
            throw new CommandFailure(e.kind() == SettingsException.Kind.WRITE_FAILED ? ExitStatus.FAILED : ExitStatus.USAGE,
                    e.getMessage() + (e.kind() == SettingsException.Kind.UNKNOWN_PID ? " (pcm:config list)" : ""), e);
        } finally {
            context.ungetService(ref);
        }
        if (!r.applied()) throw new CommandFailure("written to " + r.file() + ", but Config Admin did not take it in time (is FileInstall"
                + " watching " + r.file().getParent() + "? pcm.log says if the value was rejected)");
        Setting now = r.after().setting(key).orElseThrow();
        return pid + ": " + key + "=" + shown(now) + " (in " + r.file() + ")";
    }

    static String list(Settings s) {
        TextTable t = new TextTable("PID", "NAME", "BUNDLE", "CONFIGURED");
        for (SettingsPid p : s.list()) t.row(p.pid(), p.name(), p.bundle(), p.configured() ? "yes" : "no (defaults)");
        return t.render("") + "pcm:config show <pid> for the settings";
    }

    static String show(SettingsPid p) {
        TextTable t = new TextTable("KEY", "VALUE", "DEFAULT", "ALLOWED", "NAME");
        for (Setting a : p.settings())
            t.row(a.id(), a.set() ? shown(a) : "(default)", a.defaults().isEmpty() ? "-" : String.join(",", a.defaults()), allowed(a), a.name());
        return p.pid() + " - " + p.name() + " (bundle " + p.bundle() + ")" + (p.configured() ? "" : ", not configured: the defaults")
                + "\n" + t.render("");
    }

    private static String shown(Setting a) {
        if (a.type() == pcm.config.api.SettingType.PASSWORD) return "(set)";
        return a.list() ? a.value().toString() : String.join("", a.value());
    }

    /** What the metatype allows: the options, else the type and range. */
    static String allowed(Setting a) {
        if (!a.options().isEmpty()) return String.join(", ", a.options().stream().map(Setting.Option::value).toList());
        return a.type().expected() + (a.range() == null ? "" : " " + a.range()) + (a.list() ? " list, comma-separated" : "");
    }

    private ArchiveActions archive() {
        return new ArchiveActions(context);
    }

    private <R> R withSettings(java.util.function.Function<Settings, R> f) {
        ServiceReference<Settings> ref = context.getServiceReference(Settings.class);
        Settings s = ref == null ? null : context.getService(ref);
        if (s == null) throw new CommandFailure("no settings service (pcm.config is not active)");
        try {
            return f.apply(s);
        } finally {
            context.ungetService(ref);
        }
    }
}
