package pcm.ui.internal.exec;

import java.lang.reflect.Array;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.osgi.framework.dto.ServiceReferenceDTO;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.ReferenceDTO;
import org.osgi.service.component.runtime.dto.SatisfiedReferenceDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

import pcm.core.api.cpu.Hypervisor;

/**
 * Is the runtime up: everything it is going to start has started? A pure function of a {@link Snapshot} of the
 * framework and of SCR (Service Component Runtime DTOs), so it can be tested with fake DTOs; {@link ReadinessProbe}
 * takes the snapshot. Issue 12 item 4: a headless command used to run after "300 ms without a service event", and on
 * a slow host the KVM backend was not there yet.
 * <p>
 * Ready means: no bundle is still to be started; SCR has loaded the components of every active bundle; and no
 * component is <em>on its way</em>:
 * <ul>
 * <li>enabled by default but not enabled yet, or enabled with no configuration created yet;</li>
 * <li>an immediate component SATISFIED but not ACTIVE (its activate method is running: a slow KVM probe);</li>
 * <li>a configuration (or factory configuration) exists in Config Admin for one of its PIDs but SCR has not applied
 * it yet (Config Admin tells SCR asynchronously);</li>
 * <li>UNSATISFIED_REFERENCE where every missing reference's service is provided by a component that is itself on
 * its way (computed to a fixed point, so a cycle of components that can never be satisfied is not waited for);</li>
 * <li>ACTIVE with a dynamic greedy multiple reference (the kernel's backends) that has not bound every matching
 * service yet, or is binding one whose delayed component is still activating (SATISFIED, not ACTIVE).</li>
 * </ul>
 * A component that waits for something nobody is going to provide (a required configuration that does not exist, a
 * service no component provides, FAILED_ACTIVATION) is not waited for: the command runs and says what is missing.
 */
final class Readiness {

    /** SCR component configuration states (DS 1.4). */
    static final int UNSATISFIED_CONFIGURATION = ComponentConfigurationDTO.UNSATISFIED_CONFIGURATION;
    static final int UNSATISFIED_REFERENCE = ComponentConfigurationDTO.UNSATISFIED_REFERENCE;
    static final int SATISFIED = ComponentConfigurationDTO.SATISFIED;
    static final int ACTIVE = ComponentConfigurationDTO.ACTIVE;

    private Readiness() {}

    /** One bundle: {@code components} if it has a Service-Component header; {@code toStart} if the framework will start it. */
    record BundleInfo(long id, String name, boolean active, boolean components, boolean toStart) {}

    /** One component description, whether it is enabled, and its configurations as SCR reports them. */
    record Component(ComponentDescriptionDTO description, boolean enabled, List<ComponentConfigurationDTO> configurations) {}

    /** Which registered services match a reference of a component in bundle {@code bundleId} (by service id). */
    interface Services {
        Set<Long> matching(long bundleId, String interfaceName, String target);
    }

    /**
     * @param framework   why the framework itself is not up yet (start level), or null
     * @param scr         whether the ServiceComponentRuntime service is there
     * @param configured  PIDs that have a configuration in Config Admin
     * @param factories   factory PID to the PIDs of its configurations in Config Admin
     */
    record Snapshot(String framework, List<BundleInfo> bundles, boolean scr, List<Component> components,
                    Set<String> configured, Map<String, Set<String>> factories, Services services) {}

    /** What is not ready yet, one line each; empty when ready. */
    static List<String> pending(Snapshot s) {
        List<String> out = new ArrayList<>();
        if (s.framework() != null) out.add(s.framework());
        for (BundleInfo b : s.bundles())
            if (b.toStart()) out.add("bundle " + b.name() + " [" + b.id() + "] is not started yet");
        Set<Long> loaded = new HashSet<>();
        for (Component c : s.components()) loaded.add(c.description().bundle.id);
        for (BundleInfo b : s.bundles()) {
            if (!b.active() || !b.components() || loaded.contains(b.id())) continue;
            out.add(s.scr() ? "SCR has not loaded the components of bundle " + b.name() + " [" + b.id() + "] yet"
                : "bundle " + b.name() + " [" + b.id() + "] has components but there is no ServiceComponentRuntime (SCR) yet");
        }
        Set<Long> active = new HashSet<>();
        for (BundleInfo b : s.bundles()) if (b.active()) active.add(b.id());

        // component configurations by id (component.id, also a property of their services), for the bound services
        Map<Long, ComponentConfigurationDTO> byId = new HashMap<>();
        for (Component c : s.components()) for (ComponentConfigurationDTO cc : c.configurations()) byId.put(cc.id, cc);
        // components on their way for their own reasons, and the interfaces they will provide
        Set<String> coming = new HashSet<>();
        List<Component> waiting = new ArrayList<>(); // UNSATISFIED_REFERENCE: on their way only if what they need is
        for (Component c : s.components()) {
            ComponentDescriptionDTO d = c.description();
            if (!active.contains(d.bundle.id)) continue;
            String why = ownReason(c, s, byId);
            if (why != null) {
                out.add(label(d) + ": " + why);
                addAll(coming, d.serviceInterfaces);
            } else if (c.enabled() && c.configurations().stream().anyMatch(x -> x.state == UNSATISFIED_REFERENCE)) {
                waiting.add(c);
            }
        }
        boolean grew = true;
        while (grew) {
            grew = false;
            for (var it = waiting.iterator(); it.hasNext(); ) {
                Component c = it.next();
                String needs = needsOnlyComing(c, coming);
                if (needs == null) continue;
                out.add(label(c.description()) + ": waits for " + needs + ", which is on its way");
                addAll(coming, c.description().serviceInterfaces);
                it.remove();
                grew = true;
            }
        }
        return out;
    }

    /** Why this component is on its way regardless of the others, or null. */
    private static String ownReason(Component c, Snapshot s, Map<Long, ComponentConfigurationDTO> byId) {
        ComponentDescriptionDTO d = c.description();
        if (!c.enabled()) return d.defaultEnabled ? "not enabled yet" : null;
        String pending = unappliedPid(d, c.configurations(), s.configured(), s.factories());
        if (pending != null) return "its configuration " + pending + " is not applied yet";
        if (c.configurations().isEmpty()) {
            if ("require".equals(d.configurationPolicy) || d.factory != null) return null; // waits for a configuration nobody gave
            return "not created by SCR yet";
        }
        for (ComponentConfigurationDTO cc : c.configurations()) {
            if (cc.state == SATISFIED && d.immediate) return "activating (SATISFIED, not ACTIVE yet)";
            if (cc.state == ACTIVE) {
                String unbound = unbound(d, cc, s.services(), byId);
                if (unbound != null) return unbound;
            }
        }
        return null;
    }

    /**
     * A configuration in Config Admin for one of the component's PIDs that SCR has not applied yet (the first one), or
     * null: a singleton configuration missing from a component configuration, or a factory configuration no component
     * configuration has.
     */
    private static String unappliedPid(ComponentDescriptionDTO d, List<ComponentConfigurationDTO> cs, Set<String> configured,
                                       Map<String, Set<String>> factories) {
        if ("ignore".equals(d.configurationPolicy) || d.configurationPid == null) return null;
        for (String pid : d.configurationPid) {
            if (configured.contains(pid)) {
                if (cs.isEmpty()) return pid;
                for (ComponentConfigurationDTO cc : cs) if (!applied(cc, pid)) return pid;
            }
            for (String instance : factories.getOrDefault(pid, Set.of()))
                if (cs.stream().noneMatch(cc -> applied(cc, instance))) return instance;
        }
        return null;
    }

    /** SCR puts the PIDs of the configurations it applied into the component properties as service.pid. */
    private static boolean applied(ComponentConfigurationDTO cc, String pid) {
        Object v = cc.properties == null ? null : cc.properties.get("service.pid");
        if (v == null) return false;
        if (v instanceof String str) return str.equals(pid);
        if (v instanceof Collection<?> col) return col.contains(pid);
        if (v.getClass().isArray()) {
            for (int i = 0; i < Array.getLength(v); i++) if (pid.equals(Array.get(v, i))) return true;
        }
        return false;
    }

    /**
     * A dynamic greedy multiple reference (the kernel's Hypervisor services) that has not bound every matching service,
     * or is binding one: SCR counts a service as bound before the bind method has it, and getting a delayed
     * component's service activates that component (the KVM probe) — until then it is SATISFIED, not ACTIVE.
     */
    private static String unbound(ComponentDescriptionDTO d, ComponentConfigurationDTO cc, Services services,
                                  Map<Long, ComponentConfigurationDTO> byId) {
        if (cc.satisfiedReferences == null || d.references == null || services == null) return null;
        for (SatisfiedReferenceDTO sr : cc.satisfiedReferences) {
            ReferenceDTO r = reference(d, sr.name);
            if (r == null || !"dynamic".equals(r.policy) || !"greedy".equals(r.policyOption)
                || r.cardinality == null || !r.cardinality.endsWith("..n")) continue;
            Set<Long> bound = new HashSet<>();
            if (sr.boundServices != null) for (ServiceReferenceDTO b : sr.boundServices) {
                bound.add(b.id);
                Object cid = b.properties == null ? null : b.properties.get("component.id");
                ComponentConfigurationDTO provider = cid instanceof Long id ? byId.get(id) : null;
                if (provider != null && provider.state == SATISFIED)
                    return "is binding " + simple(r.interfaceName) + " service " + b.id + " (component "
                        + provider.description.name + " is activating)";
            }
            for (long id : services.matching(d.bundle.id, r.interfaceName, sr.target))
                if (!bound.contains(id)) return "has not bound " + simple(r.interfaceName) + " service " + id + " yet";
        }
        return null;
    }

    /** The missing services, if every one is provided by a component on its way; else null. */
    private static String needsOnlyComing(Component c, Set<String> coming) {
        List<String> needs = new ArrayList<>();
        for (ComponentConfigurationDTO cc : c.configurations()) {
            if (cc.state != UNSATISFIED_REFERENCE || cc.unsatisfiedReferences == null) continue;
            for (UnsatisfiedReferenceDTO u : cc.unsatisfiedReferences) {
                ReferenceDTO r = reference(c.description(), u.name);
                if (r == null || !coming.contains(r.interfaceName)) return null;
                needs.add(simple(r.interfaceName));
            }
        }
        return needs.isEmpty() ? null : String.join(", ", needs);
    }

    private static ReferenceDTO reference(ComponentDescriptionDTO d, String name) {
        if (d.references == null) return null;
        for (ReferenceDTO r : d.references) if (r.name.equals(name)) return r;
        return null;
    }

    static String label(ComponentDescriptionDTO d) {
        String provides = d.serviceInterfaces == null || d.serviceInterfaces.length == 0 ? ""
            : ", provides " + String.join(", ", java.util.Arrays.stream(d.serviceInterfaces).map(Readiness::simple).toList());
        Object backend = d.properties == null ? null : d.properties.get(Hypervisor.ID);
        return "component " + d.name + " (bundle " + d.bundle.symbolicName + provides
            + (backend != null ? " '" + backend + "'" : "") + ")";
    }

    private static String simple(String className) {
        return className.substring(className.lastIndexOf('.') + 1);
    }

    private static void addAll(Set<String> to, String[] what) {
        if (what != null) to.addAll(List.of(what));
    }
}
