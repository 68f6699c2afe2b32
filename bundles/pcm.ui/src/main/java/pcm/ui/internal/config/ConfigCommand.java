package pcm.ui.internal.config;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Array;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.List;
import java.util.Objects;
import java.util.TreeMap;

import org.apache.felix.cm.file.ConfigurationHandler;
import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

import pcm.ui.internal.commands.CommandFailure;
import pcm.ui.internal.commands.PcmCommand;
import pcm.ui.internal.format.TextTable;

/**
 * {@code pcm:config}: a component's settings through Config Admin and its Metatype. {@code set} checks the value against
 * the metatype first (type, range, option values: {@link SettingValue}), then writes {@code <data>/conf/<pid>.config}
 * (Felix's typed format; the file FileInstall already had for that PID, if it is a .config), so the setting survives a
 * restart, and waits until Config Admin has it. Configurations are read with {@code listConfigurations}, which, unlike
 * {@code cm:getConfiguration}, does not bind them to this bundle (issue 16: that detached conf/pcm.vm.cfg for ever).
 */
@Component(service = ConfigCommand.class, property = {"osgi.command.scope=pcm", "osgi.command.function=config"})
public class ConfigCommand extends PcmCommand {

    static final String USAGE = "usage: pcm:config [list] | show <pid> | set <pid> <key> <value>   (lists: a,b,c)";
    private static final long APPLY_TIMEOUT_MS = 15_000;

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

    @Descriptor("list | pids (for completion)")
    public Object config(@Descriptor("list|pids") String action) {
        return switch (action) {
            case "list" -> list();
            case "pids" -> definitions().stream().map(Definition::pid).toList();
            default -> throw CommandFailure.usage("unknown action '" + action + "'. " + USAGE);
        };
    }

    @Descriptor("show the settings of a PID: value, default, allowed values")
    public String config(@Descriptor("show") String action, @Descriptor("PID") String pid) {
        if (!action.equals("show")) throw CommandFailure.usage("unknown action '" + action + "'. " + USAGE);
        Definition d = definition(pid);
        Dictionary<String, Object> current = current(pid);
        TextTable t = new TextTable("KEY", "VALUE", "DEFAULT", "ALLOWED", "NAME");
        for (AttributeDefinition ad : d.ocd().getAttributeDefinitions(ObjectClassDefinition.ALL)) {
            Object v = current == null ? null : current.get(ad.getID());
            t.row(ad.getID(), v == null ? "(default)" : show(v), ad.getDefaultValue() == null ? "-" : String.join(",", ad.getDefaultValue()),
                    SettingValue.allowed(ad).substring(2), ad.getName());
        }
        return pid + " - " + d.ocd().getName() + " (bundle " + d.bundle().getSymbolicName() + ")"
                + (current == null ? ", not configured: the defaults" : "") + "\n" + t.render("");
    }

    @Descriptor("set one setting: checked against the metatype, written to <data>/conf/<pid>.config, applied")
    public String config(@Descriptor("set") String action, @Descriptor("PID") String pid, @Descriptor("key") String key,
                         @Descriptor("value (a list: comma-separated)") String value) throws IOException, InterruptedException {
        if (!action.equals("set")) throw CommandFailure.usage("unknown action '" + action + "'. " + USAGE);
        Definition d = definition(pid);
        AttributeDefinition ad = Arrays.stream(d.ocd().getAttributeDefinitions(ObjectClassDefinition.ALL))
                .filter(a -> a.getID().equals(key)).findFirst().orElseThrow(() -> CommandFailure.usage(pid + ": no setting '" + key
                        + "' (has: " + String.join(", ", Arrays.stream(d.ocd().getAttributeDefinitions(ObjectClassDefinition.ALL))
                        .map(AttributeDefinition::getID).toList()) + "); nothing changed"));
        Object typed = SettingValue.parse(pid, ad, value);
        Dictionary<String, Object> current = current(pid);
        Hashtable<String, Object> props = new Hashtable<>();
        if (current != null) {
            for (Enumeration<String> k = current.keys(); k.hasMoreElements(); ) {
                String n = k.nextElement();
                if (!n.startsWith("service.") && !n.startsWith("felix.fileinstall.")) props.put(n, current.get(n));
            }
        }
        props.put(key, typed);
        Path file = write(pid, current, props);
        awaitApplied(pid, key, typed, file);
        return pid + ": " + key + "=" + show(typed) + " (in " + file + ")";
    }

    private String list() {
        TextTable t = new TextTable("PID", "NAME", "BUNDLE", "CONFIGURED");
        for (Definition d : definitions())
            t.row(d.pid(), d.ocd().getName(), d.bundle().getSymbolicName(), current(d.pid()) == null ? "no (defaults)" : "yes");
        return t.render("") + "pcm:config show <pid> for the settings";
    }

    record Definition(String pid, ObjectClassDefinition ocd, Bundle bundle) { }

    private List<Definition> definitions() {
        ServiceReference<MetaTypeService> ref = context.getServiceReference(MetaTypeService.class);
        MetaTypeService mts = ref == null ? null : context.getService(ref);
        if (mts == null) throw new CommandFailure("no MetaType service");
        try {
            TreeMap<String, Definition> all = new TreeMap<>();
            for (Bundle b : context.getBundles()) {
                MetaTypeInformation info = mts.getMetaTypeInformation(b);
                if (info == null) continue;
                for (String pid : info.getPids()) add(all, pid, info, b);
                for (String pid : info.getFactoryPids()) add(all, pid, info, b);
            }
            return List.copyOf(all.values());
        } finally {
            context.ungetService(ref);
        }
    }

    private static void add(TreeMap<String, Definition> all, String pid, MetaTypeInformation info, Bundle b) {
        try {
            ObjectClassDefinition ocd = info.getObjectClassDefinition(pid, null);
            if (ocd != null) all.put(pid, new Definition(pid, ocd, b));
        } catch (IllegalArgumentException noSuch) {
            // a PID listed without a definition: nothing to show
        }
    }

    private Definition definition(String pid) {
        return definitions().stream().filter(d -> d.pid().equals(pid)).findFirst()
                .orElseThrow(() -> CommandFailure.usage("no configurable component '" + pid + "' (pcm:config list)"));
    }

    /** The configuration's properties, without binding it; null if there is none. */
    private Dictionary<String, Object> current(String pid) {
        ServiceReference<ConfigurationAdmin> ref = context.getServiceReference(ConfigurationAdmin.class);
        ConfigurationAdmin cm = ref == null ? null : context.getService(ref);
        if (cm == null) throw new CommandFailure("no Config Admin service");
        try {
            Configuration[] c = cm.listConfigurations("(" + Constants.SERVICE_PID + "=" + pid + ")");
            return c == null || c.length == 0 ? null : c[0].getProperties();
        } catch (IOException | InvalidSyntaxException e) {
            throw new CommandFailure("cannot read the configuration of " + pid + ": " + e.getMessage(), e);
        } finally {
            context.ungetService(ref);
        }
    }

    /** Into the .config file FileInstall has for the PID, else {@code <data>/conf/<pid>.config}; a .cfg is replaced by it. */
    private Path write(String pid, Dictionary<String, Object> current, Hashtable<String, Object> props) throws IOException {
        String data = context.getProperty("pcm.data");
        Path conf = Path.of(data == null ? "." : data, "conf");
        Path target = conf.resolve(pid + ".config");
        Path old = null;
        Object from = current == null ? null : current.get("felix.fileinstall.filename");
        if (from != null) {
            Path p = Path.of(java.net.URI.create(String.valueOf(from)));
            if (p.toString().endsWith(".config")) target = p;
            else old = p;
        }
        Files.createDirectories(target.getParent());
        Path tmp = Files.createTempFile(target.getParent(), "." + pid, ".tmp");
        try (OutputStream out = Files.newOutputStream(tmp)) {
            ConfigurationHandler.write(out, props);
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        if (old != null && !old.equals(target)) Files.deleteIfExists(old);
        return target;
    }

    private void awaitApplied(String pid, String key, Object value, Path file) throws InterruptedException {
        long deadline = System.currentTimeMillis() + APPLY_TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline) {
            Dictionary<String, Object> now = current(pid);
            if (now != null && same(now.get(key), value)) return;
            Thread.sleep(100);
        }
        throw new CommandFailure("written to " + file + ", but Config Admin did not take it within " + APPLY_TIMEOUT_MS / 1000
                + " s (is FileInstall watching " + file.getParent() + "? pcm.log says if the value was rejected)");
    }

    private static boolean same(Object a, Object b) {
        if (a != null && b != null && a.getClass().isArray() && b.getClass().isArray()) return Objects.deepEquals(boxed(a), boxed(b));
        return Objects.equals(a, b) || (a != null && b != null && a.toString().equals(b.toString()));
    }

    private static Object[] boxed(Object array) {
        List<Object> l = new ArrayList<>();
        for (int i = 0; i < Array.getLength(array); i++) l.add(Array.get(array, i));
        return l.toArray();
    }

    private static String show(Object v) {
        if (v != null && v.getClass().isArray()) return Arrays.deepToString(boxed(v));
        return String.valueOf(v);
    }
}
