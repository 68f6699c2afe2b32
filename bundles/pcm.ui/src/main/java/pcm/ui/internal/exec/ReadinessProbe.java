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
     * Set when the framework has finished moving to its beginning start level (FrameworkEvent STARTED or
     * STARTLEVEL_CHANGED, seen by {@link ReadinessCondition}): every bundle marked to start up to that level has been
     * tried, so one still RESOLVED failed to start (its activator threw) and will not be waited for.
     */
    static volatile boolean startLevelDone;

    private ReadinessProbe() {}

    /** What is not ready yet (empty: ready). */
    static List<String> pending(BundleContext context) {
        return Readiness.pending(snapshot(context));
    }

    static Readiness.Snapshot snapshot(BundleContext context) {
        long beginning = beginningStartLevel(context);
        Bundle system = context.getBundle(0);
        String framework = null;
        FrameworkStartLevel fsl = system.adapt(FrameworkStartLevel.class);
        if (system.getState() != Bundle.ACTIVE) framework = "the framework is still starting";
        else if (fsl != null && fsl.getStartLevel() < beginning)
            framework = "the framework is at start level " + fsl.getStartLevel() + " of " + beginning;
        FrameworkWiring wiring = system.adapt(FrameworkWiring.class);
        List<Readiness.BundleInfo> bundles = new ArrayList<>();
        for (Bundle b : context.getBundles()) {
            if (b.getBundleId() == 0) continue;
            bundles.add(new Readiness.BundleInfo(b.getBundleId(), String.valueOf(b.getSymbolicName()),
                b.getState() == Bundle.ACTIVE, b.getHeaders().get("Service-Component") != null, toStart(wiring, b, beginning)));
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
     * A bundle marked to start at or below the beginning start level that has not started yet (or is STARTING): the
     * start-level thread will get to it. One that cannot resolve (a second pcm.core), a lazy one or a fragment is not
     * waited for.
     */
    static boolean toStart(FrameworkWiring wiring, Bundle b, long beginning) {
        int state = b.getState();
        if (state != Bundle.INSTALLED && state != Bundle.RESOLVED && state != Bundle.STARTING) return false;
        if (b.getHeaders().get("Fragment-Host") != null
            || String.valueOf(b.getHeaders().get("Bundle-ActivationPolicy")).startsWith("lazy")) return false;
        BundleStartLevel bsl = b.adapt(BundleStartLevel.class);
        if (bsl == null || !bsl.isPersistentlyStarted() || bsl.getStartLevel() > beginning) return false;
        if (state == Bundle.RESOLVED && startLevelDone) return false; // tried: its start failed (the log says why)
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

    static long beginningStartLevel(BundleContext context) {
        String s = context.getProperty("org.osgi.framework.startlevel.beginning");
        try {
            return s == null ? 1 : Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return 1;
        }
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
