package pcm.config.internal;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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
import pcm.config.internal.customer.ConfiguratorResource;
import pcm.config.internal.customer.CustomerResources;

/**
 * Enforces the metatype of every configuration on its way to a component (issue 11 item 8: {@code memoryMiB=abc}
 * surfaced as a ComponentException, {@code windowTimeoutMillis=abc} killed the sampler, {@code memoryMiB=1048576} was
 * taken). Config Admin hands each configuration to its plug-ins before delivering it (SCR asks for it through
 * {@code Configuration.getProcessedProperties}); this one checks the values against the object class definition of
 * the PID (or factory PID) and, when one does not fit, logs one line naming the file, key and value, and puts the
 * last good values of the defined attributes back (the defaults if there was none), so the component keeps its last
 * good configuration. Attributes the metatype does not define pass untouched.
 * <p>
 * A configuration from an OSGi Configurator resource (a customer's JSON, issue 17 item 1: the Configurator marks
 * nothing, {@link CustomerResources} finds the file by its values) is checked with the whole file: one value of the
 * file that does not fit its metatype, or a file the reader could not take whole, and none of the file's configurations
 * reaches its component — one ERROR line names the file, each PID, key and value and why.
 */
final class ValidatingPlugin implements ConfigurationPlugin {

    /** FileInstall's property with the file a configuration came from. */
    static final String FILENAME = "felix.fileinstall.filename";

    private final BundleContext context;
    private final CustomerResources customer;
    /** Customer files whose refusal (or PIDs nobody defines) was logged, with what was wrong: once, not per delivery. */
    private final Set<String> reportedResources = ConcurrentHashMap.newKeySet();
    /** PID -> the values of its last configuration that passed. */
    private final Map<String, Dictionary<String, Object>> lastGood = new ConcurrentHashMap<>();
    /** PID -> the rejected configuration last reported (every delivery of the same one is not worth a line). */
    private final Map<String, String> reported = new ConcurrentHashMap<>();

    ValidatingPlugin(BundleContext context) {
        this(context, CustomerResources.NONE);
    }

    ValidatingPlugin(BundleContext context, CustomerResources customer) {
        this.context = context;
        this.customer = customer;
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
        if (properties.get(FILENAME) == null) {
            ConfiguratorResource from = customer.sourceOf(pid, properties);
            List<String> wrong = from == null ? List.of() : problems(from);
            if (!wrong.isEmpty()) {
                reportRefusal(from, wrong);
                Set<String> defined = new HashSet<>();
                if (found != null) for (AttributeDefinition ad : found.ocd().getAttributeDefinitions(ObjectClassDefinition.ALL)) defined.add(ad.getID());
                else defined.addAll(Collections.list(from.configurations().get(pid).keys()));
                restore(properties, lastGood.get(pid), defined);
                return;
            }
        }
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

    /**
     * Checks every Configurator resource once the runtime is up (the Activator calls this when the start level has been
     * raised), so a wrong customer file is reported even where no component takes its PIDs; a PID no bundle has
     * metatype for (a typo, or a bundle this variant lacks) is a WARN: its values go to Config Admin unchecked.
     */
    void checkCustomerResources() {
        for (ConfiguratorResource r : customer.resources()) {
            List<String> wrong = problems(r);
            if (!wrong.isEmpty()) {
                reportRefusal(r, wrong);
                continue;
            }
            List<String> unknown = new ArrayList<>();
            for (String pid : new TreeMap<>(r.configurations()).keySet()) if (find(null, pid, factoryPidOf(pid)) == null) unknown.add(pid);
            if (!unknown.isEmpty() && reportedResources.add(r.source() + " unknown " + unknown)) {
                log().warn("{}: no bundle of this runtime has metatype for {}: applied unchecked (a misspelt PID, or a bundle this variant does not have)",
                        r.source(), String.join(", ", unknown));
            }
            if (reportedResources.add(r.source() + " checked")) {
                log().info("{}: customer configuration of {} checked against metatype", r.source(), String.join(", ", new TreeMap<>(r.configurations()).keySet()));
            }
        }
    }

    /** What is wrong with a Configurator resource: its reader's complaints, then each value its metatype refuses. */
    List<String> problems(ConfiguratorResource r) {
        List<String> out = new ArrayList<>();
        if (r.error() != null) out.add(r.error());
        new TreeMap<>(r.configurations()).forEach((pid, props) -> {
            Found f = find(null, pid, factoryPidOf(pid));
            if (f == null) return;
            for (Problem p : ConfigValidator.check(f.ocd(), props, id -> Ranges.of(f.bundle(), f.ocd().getID(), id))) out.add(pid + ": " + p);
        });
        return out;
    }

    private void reportRefusal(ConfiguratorResource r, List<String> wrong) {
        if (!reportedResources.add(r.source() + " refused " + wrong)) return;
        log().error("{}: customer configuration refused, none of it is applied: {}; {} keep their last good configuration",
                r.source(), String.join("; ", wrong), r.configurations().isEmpty() ? "all PIDs" : String.join(", ", new TreeMap<>(r.configurations()).keySet()));
    }

    /** A Configurator factory configuration's PID is {@code factoryPid~name}. */
    private static String factoryPidOf(String pid) {
        int tilde = pid.indexOf('~');
        return tilde > 0 ? pid.substring(0, tilde) : null;
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
        // a DS component takes factory configurations of its PID too, whose metatype designates it as a PID
        // (@Designate without factory = true: FaultInjectingVerifier's)
        String id = factoryPid != null && contains(info.getFactoryPids(), factoryPid) ? factoryPid
                : contains(info.getPids(), pid) ? pid
                : factoryPid != null && contains(info.getPids(), factoryPid) ? factoryPid : null;
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
