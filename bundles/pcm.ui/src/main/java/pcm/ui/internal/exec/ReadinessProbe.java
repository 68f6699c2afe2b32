package pcm.ui.internal.exec;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.runtime.ServiceComponentRuntime;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;

/** Takes the {@link Readiness.Snapshot} of a running framework: bundles, SCR's DTOs, Config Admin's PIDs. */
final class ReadinessProbe {

    /** DS 1.4's FAILED_ACTIVATION: its services can never be bound, so nobody waits for them. */
    private static final int FAILED_ACTIVATION = 16;

    /**
     * Set when the framework has finished raising its start level (FrameworkEvent STARTLEVEL_CHANGED or STARTED, seen
     * by {@link ReadinessCondition}). Until then a bundle marked to start may just not have been reached; after it,
     * one still RESOLVED was tried and failed (its activator threw) and is not waited for. The property
     * org.osgi.framework.startlevel.beginning cannot tell the target: the bnd launcher starts the framework at 1 and
     * raises the level itself (to 5 in pcm.jar), so it reads 1 (issue 12 item 4: waiting "up to the beginning level"
     * waited for nothing above level 1, and pcm:run ran before pcm.vmx had started).
     */
    static volatile boolean startLevelDone;

    private ReadinessProbe() {}

    /** What is not ready yet (empty: ready). */
    static List<String> pending(BundleContext context) {
        return Readiness.pending(snapshot(context));
    }

    static Readiness.Snapshot snapshot(BundleContext context) {
        Bundle system = context.getBundle(0);
        String framework = null;
        FrameworkStartLevel fsl = system.adapt(FrameworkStartLevel.class);
        if (system.getState() != Bundle.ACTIVE) framework = "the framework is still starting";
        else if (!startLevelDone)
            framework = "the framework is still raising its start level (at " + (fsl == null ? "?" : fsl.getStartLevel()) + ")";
        FrameworkWiring wiring = system.adapt(FrameworkWiring.class);
        List<Readiness.BundleInfo> bundles = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            if (b.getBundleId() == 0) continue;
            bundles.add(new Readiness.BundleInfo(b.getBundleId(), String.valueOf(b.getSymbolicName()),
                b.getState() == Bundle.ACTIVE, b.getHeaders().get("Service-Component") != null, toStart(wiring, b)));
        }
        List<Readiness.Component> components = new ArrayList<>();
        Set<Long> failed = new HashSet<>();
        ServiceReference<ServiceComponentRuntime> ref = context.getServiceReference(ServiceComponentRuntime.class);
        ServiceComponentRuntime scr = ref == null ? null : context.getService(ref);
        if (scr != null) {
            try {
                for (ComponentDescriptionDTO d : scr.getComponentDescriptionDTOs()) {
                    List<ComponentConfigurationDTO> cs = List.copyOf(scr.getComponentConfigurationDTOs(d));
                    for (ComponentConfigurationDTO c : cs) if (c.state == FAILED_ACTIVATION) failed.add(c.id);
                    components.add(new Readiness.Component(d, scr.isComponentEnabled(d), cs));
                }
            } catch (IllegalStateException | IllegalArgumentException e) {
                // SCR or a bundle is going away while we look: not ready, look again
                components.clear();
                return new Readiness.Snapshot("SCR is changing (" + e.getMessage() + ")", bundles, true, components, Set.of(),
                    Map.of(), null);
            } finally {
                ungetQuietly(context, ref);
            }
        }
        Set<String> configured = new HashSet<>();
        Map<String, Set<String>> factories = new HashMap<>();
        configurations(context, configured, factories);
        return new Readiness.Snapshot(framework, bundles, scr != null, components, configured, factories,
            (bundleId, iface, target) -> matching(context, bundleId, iface, target, failed));
    }

    /**
     * A bundle marked to start that has not started yet: STARTING (its activator runs), or, while the framework is
     * still raising its start level, INSTALLED or RESOLVED (the start-level thread has not got to it). Not waited for:
     * a fragment, a lazy bundle, one that cannot resolve (a second pcm.core), and after the raise one still RESOLVED
     * (its start failed; the log says why).
     */
    static boolean toStart(FrameworkWiring wiring, Bundle b) {
        int state = b.getState();
        if (state != Bundle.INSTALLED && state != Bundle.RESOLVED && state != Bundle.STARTING) return false;
        if (b.getHeaders().get("Fragment-Host") != null
            || String.valueOf(b.getHeaders().get("Bundle-ActivationPolicy")).startsWith("lazy")) return false;
        BundleStartLevel bsl = b.adapt(BundleStartLevel.class);
        if (bsl == null || !bsl.isPersistentlyStarted()) return false;
        if (state == Bundle.STARTING) return true;
        if (startLevelDone) return false;
        return !(state == Bundle.INSTALLED && unresolvable(wiring, b));
    }

    private static final Set<Long> UNRESOLVABLE = ConcurrentHashMap.newKeySet();

    /** An INSTALLED bundle the framework cannot resolve (asked once: the framework would log every attempt). */
    static boolean unresolvable(FrameworkWiring wiring, Bundle b) {
        if (b.getState() != Bundle.INSTALLED) return false;
        if (UNRESOLVABLE.contains(b.getBundleId())) return true;
        if (wiring != null && wiring.resolveBundles(List.of(b))) return false;
        UNRESOLVABLE.add(b.getBundleId());
        return true;
    }

    /** The PIDs of Config Admin's configurations: singletons into {@code pids}, factory ones by factory PID. */
    private static void configurations(BundleContext context, Set<String> pids, Map<String, Set<String>> factories) {
        ServiceReference<ConfigurationAdmin> ref = context.getServiceReference(ConfigurationAdmin.class);
        ConfigurationAdmin cm = ref == null ? null : context.getService(ref);
        if (cm == null) return;
        try {
            Configuration[] cs = cm.listConfigurations(null);
            if (cs != null) for (Configuration c : cs) {
                if (c.getFactoryPid() == null) pids.add(c.getPid());
                else factories.computeIfAbsent(c.getFactoryPid(), k -> new HashSet<>()).add(c.getPid());
            }
        } catch (IOException | InvalidSyntaxException | IllegalStateException e) {
            // Config Admin going away: nothing to wait for from it
        } finally {
            ungetQuietly(context, ref);
        }
    }

    /** Services the component's bundle can bind (same class space) whose component did not fail to activate. */
    private static Set<Long> matching(BundleContext context, long bundleId, String iface, String target, Set<Long> failed) {
        Set<Long> out = new HashSet<>();
        Bundle owner = context.getBundle(bundleId);
        if (owner == null) return out;
        try {
            ServiceReference<?>[] refs = context.getAllServiceReferences(iface, target);
            if (refs == null) return out;
            for (ServiceReference<?> r : refs) {
                if (!r.isAssignableTo(owner, iface)) continue;
                if (r.getProperty("component.id") instanceof Long id && failed.contains(id)) continue;
                out.add((Long) r.getProperty("service.id"));
            }
        } catch (InvalidSyntaxException e) {
            // a target SCR accepted; cannot happen
        }
        return out;
    }

    private static void ungetQuietly(BundleContext context, ServiceReference<?> ref) {
        try {
            context.ungetService(ref);
        } catch (IllegalStateException stopping) {
            // our bundle is stopping
        }
    }
}
