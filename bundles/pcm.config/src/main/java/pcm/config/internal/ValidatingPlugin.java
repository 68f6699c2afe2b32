package pcm.config.internal;

import java.util.Dictionary;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationPlugin;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.config.internal.ConfigValidator.Problem;

/**
 * Enforces the metatype of every configuration on its way to a component (issue 11 item 8: {@code memoryMiB=abc}
 * surfaced as a ComponentException, {@code windowTimeoutMillis=abc} killed the sampler, {@code memoryMiB=1048576} was
 * taken). Config Admin hands each configuration to its plug-ins before delivering it (SCR asks for it through
 * {@code Configuration.getProcessedProperties}); this one checks the values against the object class definition of
 * the PID (or factory PID) and, when one does not fit, logs one line naming the file, key and value, and puts the
 * last good values of the defined attributes back (the defaults if there was none), so the component keeps its last
 * good configuration. Attributes the metatype does not define pass untouched.
 */
final class ValidatingPlugin implements ConfigurationPlugin {

    /** FileInstall's property with the file a configuration came from. */
    static final String FILENAME = "felix.fileinstall.filename";

    private final BundleContext context;
    /** PID -> the values of its last configuration that passed. */
    private final Map<String, Dictionary<String, Object>> lastGood = new ConcurrentHashMap<>();
    /** PID -> the rejected configuration last reported (every delivery of the same one is not worth a line). */
    private final Map<String, String> reported = new ConcurrentHashMap<>();

    ValidatingPlugin(BundleContext context) {
        this.context = context;
    }

    /** Not a static field: this bundle starts before SLF4J's provider is registered (start level 1, see bnd.bnd). */
    private static Logger log() {
        return LoggerFactory.getLogger(ValidatingPlugin.class);
    }

    @Override
    public void modifyConfiguration(ServiceReference<?> reference, Dictionary<String, Object> properties) {
        String pid = string(properties.get(Constants.SERVICE_PID));
        if (pid == null) return;
        String factoryPid = string(properties.get(ConfigurationAdmin.SERVICE_FACTORYPID));
        Found found = find(reference == null ? null : reference.getBundle(), pid, factoryPid);
        if (found == null) return;
        ObjectClassDefinition ocd = found.ocd();
        List<Problem> problems = ConfigValidator.check(ocd, properties, id -> Ranges.of(found.bundle(), ocd.getID(), id));
        if (problems.isEmpty()) {
            lastGood.put(pid, copy(properties));
            reported.remove(pid);
            return;
        }
        Set<String> defined = new HashSet<>();
        for (AttributeDefinition ad : ocd.getAttributeDefinitions(ObjectClassDefinition.ALL)) defined.add(ad.getID());
        Dictionary<String, Object> good = lastGood.get(pid);
        if (!String.valueOf(signature(properties)).equals(reported.put(pid, signature(properties)))) {
            log().error("{}: {} rejected: {}; {} keeps its last good configuration{}", source(properties), pid,
                    problems.stream().map(Problem::toString).collect(Collectors.joining(", ")), pid, good == null
                            ? " (the defaults)" : " (" + problems.stream().map(p -> p.key() + "=" + shown(good, p.key()))
                            .collect(Collectors.joining(", ")) + ")");
        }
        restore(properties, good, defined);
    }

    /** Replaces the values of the defined attributes by the last good ones (removed: the component's defaults). */
    static void restore(Dictionary<String, Object> properties, Dictionary<String, Object> good, Set<String> defined) {
        for (String key : defined) {
            properties.remove(key);
            Object v = good == null ? null : good.get(key);
            if (v != null) properties.put(key, v);
        }
    }

    private static String shown(Dictionary<String, Object> d, String key) {
        Object v = d.get(key);
        return v == null ? "default" : ConfigValidator.show(v);
    }

    private static String source(Dictionary<String, Object> properties) {
        Object f = properties.get(FILENAME);
        if (f == null) return "configuration set through Config Admin";
        String s = String.valueOf(f);
        return s.startsWith("file:") ? s.substring("file:".length()) : s;
    }

    private static String signature(Dictionary<String, Object> properties) {
        StringBuilder sb = new StringBuilder();
        for (Enumeration<String> keys = properties.keys(); keys.hasMoreElements(); ) {
            String k = keys.nextElement();
            sb.append(k).append('=').append(ConfigValidator.show(properties.get(k))).append(';');
        }
        return sb.toString();
    }

    private static Dictionary<String, Object> copy(Dictionary<String, Object> properties) {
        Dictionary<String, Object> c = new Hashtable<>();
        for (Enumeration<String> keys = properties.keys(); keys.hasMoreElements(); ) {
            String k = keys.nextElement();
            c.put(k, properties.get(k));
        }
        return c;
    }

    private record Found(Bundle bundle, ObjectClassDefinition ocd) {}

    /** The object class of the PID: in the target's bundle first, else in whichever bundle defines it. */
    private Found find(Bundle target, String pid, String factoryPid) {
        ServiceReference<MetaTypeService> ref = context.getServiceReference(MetaTypeService.class);
        if (ref == null) return null;
        MetaTypeService mts = context.getService(ref);
        if (mts == null) return null;
        try {
            if (target != null) {
                ObjectClassDefinition ocd = find(mts, target, pid, factoryPid);
                if (ocd != null) return new Found(target, ocd);
            }
            for (Bundle b : context.getBundles()) {
                if (b.getState() != Bundle.ACTIVE && b.getState() != Bundle.STARTING && b.getState() != Bundle.RESOLVED) continue;
                ObjectClassDefinition ocd = find(mts, b, pid, factoryPid);
                if (ocd != null) return new Found(b, ocd);
            }
            return null;
        } finally {
            context.ungetService(ref);
        }
    }

    private static ObjectClassDefinition find(MetaTypeService mts, Bundle b, String pid, String factoryPid) {
        MetaTypeInformation info;
        try {
            info = mts.getMetaTypeInformation(b);
        } catch (RuntimeException e) {
            return null;
        }
        if (info == null) return null;
        String id = factoryPid != null && contains(info.getFactoryPids(), factoryPid) ? factoryPid
                : contains(info.getPids(), pid) ? pid : null;
        if (id == null) return null;
        try {
            return info.getObjectClassDefinition(id, null);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static boolean contains(String[] ids, String id) {
        if (ids == null) return false;
        for (String s : ids) if (s.equals(id)) return true;
        return false;
    }

    private static String string(Object o) {
        return o == null ? null : String.valueOf(o);
    }
}
