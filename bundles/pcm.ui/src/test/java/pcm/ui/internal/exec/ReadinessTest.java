package pcm.ui.internal.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.osgi.framework.dto.BundleDTO;
import org.osgi.framework.dto.ServiceReferenceDTO;
import org.osgi.service.component.runtime.dto.ComponentConfigurationDTO;
import org.osgi.service.component.runtime.dto.ComponentDescriptionDTO;
import org.osgi.service.component.runtime.dto.ReferenceDTO;
import org.osgi.service.component.runtime.dto.SatisfiedReferenceDTO;
import org.osgi.service.component.runtime.dto.UnsatisfiedReferenceDTO;

/**
 * Issue 12 item 4: the readiness rules on fake SCR DTOs. On the slow (emulated SVM) host the headless command ran
 * while the KVM backend was still on its way; each case here is one way a component is on its way, or one way it
 * waits for something that never comes (which must not be waited for).
 */
class ReadinessTest {

    static final String HV = "pcm.core.api.cpu.Hypervisor";
    static final String VM = "pcm.core.api.vm.Vm";

    final List<Readiness.BundleInfo> bundles = new ArrayList<>(List.of(
        new Readiness.BundleInfo(5, "pcm.core", true, false, false),
        new Readiness.BundleInfo(9, "pcm.vmx", true, false, false)));
    final List<Readiness.Component> components = new ArrayList<>();
    Set<String> configured = Set.of();
    Map<String, Set<String>> factories = Map.of();
    Map<String, Set<Long>> registered = Map.of();

    List<String> pending() {
        return Readiness.pending(new Readiness.Snapshot(null, bundles, true, components, configured, factories,
            (bundle, iface, target) -> registered.getOrDefault(iface, Set.of())));
    }

    static ComponentDescriptionDTO description(long bundle, String name, boolean immediate, String... provides) {
        ComponentDescriptionDTO d = new ComponentDescriptionDTO();
        d.bundle = new BundleDTO();
        d.bundle.id = bundle;
        d.bundle.symbolicName = bundle == 5 ? "pcm.core" : "pcm.vmx";
        d.name = name;
        d.immediate = immediate;
        d.defaultEnabled = true;
        d.serviceInterfaces = provides;
        d.configurationPolicy = "optional";
        d.configurationPid = new String[] {name};
        d.references = new ReferenceDTO[0];
        d.properties = Map.of();
        return d;
    }

    static ComponentConfigurationDTO config(ComponentDescriptionDTO d, int state) {
        ComponentConfigurationDTO c = new ComponentConfigurationDTO();
        c.description = d;
        c.state = state;
        c.properties = Map.of();
        c.satisfiedReferences = new SatisfiedReferenceDTO[0];
        c.unsatisfiedReferences = new UnsatisfiedReferenceDTO[0];
        return c;
    }

    static ReferenceDTO reference(ComponentDescriptionDTO d, String name, String iface, String cardinality, String policy, String option) {
        ReferenceDTO r = new ReferenceDTO();
        r.name = name;
        r.interfaceName = iface;
        r.cardinality = cardinality;
        r.policy = policy;
        r.policyOption = option;
        List<ReferenceDTO> all = new ArrayList<>(List.of(d.references));
        all.add(r);
        d.references = all.toArray(ReferenceDTO[]::new);
        return r;
    }

    static void unsatisfied(ComponentConfigurationDTO c, String name) {
        UnsatisfiedReferenceDTO u = new UnsatisfiedReferenceDTO();
        u.name = name;
        c.unsatisfiedReferences = new UnsatisfiedReferenceDTO[] {u};
    }

    static void bound(ComponentConfigurationDTO c, String name, long... serviceIds) {
        SatisfiedReferenceDTO s = new SatisfiedReferenceDTO();
        s.name = name;
        s.boundServices = new ServiceReferenceDTO[serviceIds.length];
        for (int i = 0; i < serviceIds.length; i++) {
            s.boundServices[i] = new ServiceReferenceDTO();
            s.boundServices[i].id = serviceIds[i];
        }
        c.satisfiedReferences = new SatisfiedReferenceDTO[] {s};
    }

    Readiness.Component add(ComponentDescriptionDTO d, ComponentConfigurationDTO... cs) {
        Readiness.Component c = new Readiness.Component(d, true, List.of(cs));
        components.add(c);
        return c;
    }

    @Test
    void activeAndRegisteredDelayedComponentsAreReady() {
        ComponentDescriptionDTO kvm = description(9, "KvmHypervisor", false, HV);
        add(kvm, config(kvm, Readiness.SATISFIED)); // delayed: its service is registered
        ComponentDescriptionDTO vm = description(5, "KernelVm", false, VM);
        add(vm, config(vm, Readiness.ACTIVE));
        assertEquals(List.of(), pending());
    }

    @Test
    void aBundleStillToStartIsNotReady() {
        bundles.add(new Readiness.BundleInfo(12, "pcm.vmx2", false, true, true));
        assertEquals(List.of("bundle pcm.vmx2 [12] is not started yet"), pending());
    }

    @Test
    void anActiveBundleWhoseComponentsScrHasNotLoadedIsNotReady() {
        bundles.set(0, new Readiness.BundleInfo(5, "pcm.core", true, true, false));
        bundles.set(1, new Readiness.BundleInfo(9, "pcm.vmx", true, true, false));
        ComponentDescriptionDTO vm = description(5, "KernelVm", false, VM);
        add(vm, config(vm, Readiness.ACTIVE));
        assertEquals(List.of("SCR has not loaded the components of bundle pcm.vmx [9] yet"), pending());
    }

    @Test
    void anImmediateComponentStillActivatingIsNotReady() {
        ComponentDescriptionDTO probe = description(9, "KvmProbe", true);
        add(probe, config(probe, Readiness.SATISFIED));
        assertEquals(List.of("component KvmProbe (bundle pcm.vmx): activating (SATISFIED, not ACTIVE yet)"), pending());
    }

    @Test
    void anEnabledComponentWithoutConfigurationYetIsNotReady() {
        ComponentDescriptionDTO kvm = description(9, "KvmHypervisor", false, HV);
        add(kvm);
        assertEquals(1, pending().size());
        assertTrue(pending().get(0).contains("not created by SCR yet"), pending().toString());
    }

    @Test
    void aRequiredConfigurationIsWaitedForOnlyIfConfigAdminHasIt() {
        ComponentDescriptionDTO kvm = description(9, "KvmHypervisor", false, HV);
        kvm.configurationPolicy = "require";
        add(kvm, config(kvm, Readiness.UNSATISFIED_CONFIGURATION));
        assertEquals(List.of(), pending(), "nobody gave one: not waited for");
        configured = Set.of("KvmHypervisor");
        assertEquals(List.of("component KvmHypervisor (bundle pcm.vmx, provides Hypervisor): its configuration KvmHypervisor is not applied yet"),
            pending());
    }

    @Test
    void aConfigurationInConfigAdminNotYetAppliedToAnActiveComponentIsNotReady() {
        ComponentDescriptionDTO vm = description(5, "pcm.vm", false, VM);
        ComponentConfigurationDTO c = config(vm, Readiness.ACTIVE);
        add(vm, c);
        configured = Set.of("pcm.vm");
        assertEquals(1, pending().size());
        c.properties = Map.of("service.pid", "pcm.vm");
        assertEquals(List.of(), pending());
        c.properties = Map.of("service.pid", new String[] {"other", "pcm.vm"});
        assertEquals(List.of(), pending());
    }

    /** The fault-injecting verifiers of the main job's test: factory configurations in conf/, applied by SCR later. */
    @Test
    void aFactoryConfigurationNotYetAppliedIsNotReady() {
        ComponentDescriptionDTO f = description(9, "FaultInjectingVerifier", false, "pcm.core.api.verify.ReplayVerifier");
        f.configurationPolicy = "require";
        ComponentConfigurationDTO one = config(f, Readiness.SATISFIED);
        one.properties = Map.of("service.pid", "FaultInjectingVerifier~a");
        add(f, one);
        factories = Map.of("FaultInjectingVerifier", Set.of("FaultInjectingVerifier~a", "FaultInjectingVerifier~b"));
        assertEquals(List.of("component FaultInjectingVerifier (bundle pcm.vmx, provides ReplayVerifier): its configuration "
            + "FaultInjectingVerifier~b is not applied yet"), pending());
        components.clear();
        ComponentConfigurationDTO two = config(f, Readiness.SATISFIED);
        two.properties = Map.of("service.pid", "FaultInjectingVerifier~b");
        add(f, one, two);
        assertEquals(List.of(), pending());
    }

    /** The chain of issue 12: a probe activating, the backend waiting for the probe's service. */
    @Test
    void anUnsatisfiedReferenceToAServiceOnItsWayIsNotReady() {
        ComponentDescriptionDTO probe = description(9, "KvmProbe", true, "pcm.vmx.Probe");
        add(probe, config(probe, Readiness.SATISFIED));
        ComponentDescriptionDTO kvm = description(9, "KvmHypervisor", false, HV);
        reference(kvm, "probe", "pcm.vmx.Probe", "1..1", "static", "reluctant");
        ComponentConfigurationDTO c = config(kvm, Readiness.UNSATISFIED_REFERENCE);
        unsatisfied(c, "probe");
        add(kvm, c);
        ComponentDescriptionDTO vm = description(5, "KernelVm", false, VM);
        reference(vm, "Hypervisor", HV, "1..n", "dynamic", "greedy");
        ComponentConfigurationDTO v = config(vm, Readiness.UNSATISFIED_REFERENCE);
        unsatisfied(v, "Hypervisor");
        add(vm, v);
        List<String> p = pending();
        assertEquals(3, p.size(), p.toString());
        assertTrue(p.get(1).endsWith("waits for Probe, which is on its way"), p.toString());
        assertTrue(p.get(2).startsWith("component KernelVm") && p.get(2).endsWith("waits for Hypervisor, which is on its way"), p.toString());
    }

    @Test
    void anUnsatisfiedReferenceNobodyProvidesOrACycleIsNotWaitedFor() {
        ComponentDescriptionDTO a = description(9, "A", false, "x.A");
        reference(a, "b", "x.B", "1..1", "static", "reluctant");
        ComponentConfigurationDTO ca = config(a, Readiness.UNSATISFIED_REFERENCE);
        unsatisfied(ca, "b");
        add(a, ca);
        ComponentDescriptionDTO b = description(9, "B", false, "x.B");
        reference(b, "a", "x.A", "1..1", "static", "reluctant");
        ComponentConfigurationDTO cb = config(b, Readiness.UNSATISFIED_REFERENCE);
        unsatisfied(cb, "a");
        add(b, cb);
        ComponentDescriptionDTO c = description(5, "C", false);
        reference(c, "nobody", "x.Nobody", "1..1", "static", "reluctant");
        ComponentConfigurationDTO cc = config(c, Readiness.UNSATISFIED_REFERENCE);
        unsatisfied(cc, "nobody");
        add(c, cc);
        assertEquals(List.of(), pending());
    }

    /** The kernel has not bound the KVM backend yet: pcm:run would say "backend 'kvm' is not installed". */
    @Test
    void theKernelNotHavingBoundEveryBackendIsNotReady() {
        ComponentDescriptionDTO vm = description(5, "KernelVm", false, VM);
        reference(vm, "Hypervisor", HV, "0..n", "dynamic", "greedy");
        ComponentConfigurationDTO c = config(vm, Readiness.ACTIVE);
        bound(c, "Hypervisor", 31);
        add(vm, c);
        ComponentDescriptionDTO kvm = description(9, "KvmHypervisor", false, HV);
        add(kvm, config(kvm, Readiness.SATISFIED));
        registered = Map.of(HV, Set.of(31L, 32L));
        assertEquals(List.of("component KernelVm (bundle pcm.core, provides Vm): has not bound Hypervisor service 32 yet"), pending());
        bound(c, "Hypervisor", 31, 32);
        assertEquals(List.of(), pending());
    }

    /**
     * Seen in GuestBootIT: SCR counts the KVM backend as bound by the kernel before the kernel's bind method has it;
     * getting the (delayed) service runs the KVM probe, and pcm:run said "backend 'kvm' is not installed (have: soft)".
     */
    @Test
    void theKernelBindingABackendStillActivatingIsNotReady() {
        ComponentDescriptionDTO vm = description(5, "KernelVm", false, VM);
        reference(vm, "Hypervisor", HV, "0..n", "dynamic", "greedy");
        ComponentConfigurationDTO c = config(vm, Readiness.ACTIVE);
        bound(c, "Hypervisor", 31);
        c.satisfiedReferences[0].boundServices[0].properties = Map.of("component.id", 7L);
        add(vm, c);
        ComponentDescriptionDTO kvm = description(9, "KvmHypervisor", false, HV);
        ComponentConfigurationDTO k = config(kvm, Readiness.SATISFIED);
        k.id = 7;
        add(kvm, k);
        registered = Map.of(HV, Set.of(31L));
        assertEquals(List.of("component KernelVm (bundle pcm.core, provides Vm): is binding Hypervisor service 31 "
            + "(component KvmHypervisor is activating)"), pending());
        k.state = Readiness.ACTIVE;
        assertEquals(List.of(), pending());
    }

    @Test
    void disabledByDefaultOrInAStoppedBundleIsNotWaitedFor() {
        ComponentDescriptionDTO off = description(9, "Off", true);
        off.defaultEnabled = false;
        components.add(new Readiness.Component(off, false, List.of()));
        ComponentDescriptionDTO gone = description(7, "Gone", true);
        components.add(new Readiness.Component(gone, true, List.of(config(gone, Readiness.SATISFIED))));
        ComponentDescriptionDTO vm = description(5, "KernelVm", false, VM);
        add(vm, config(vm, Readiness.ACTIVE));
        assertEquals(List.of(), pending());
        ComponentDescriptionDTO notYet = description(9, "NotYet", true);
        components.add(new Readiness.Component(notYet, false, List.of()));
        assertEquals(List.of("component NotYet (bundle pcm.vmx): not enabled yet"), pending());
    }

    @Test
    void aFrameworkBelowItsStartLevelIsNotReady() {
        List<String> p = Readiness.pending(new Readiness.Snapshot("the framework is at start level 1 of 3", List.of(), true,
            List.of(), Set.of(), Map.of(), null));
        assertEquals(List.of("the framework is at start level 1 of 3"), p);
    }
}
