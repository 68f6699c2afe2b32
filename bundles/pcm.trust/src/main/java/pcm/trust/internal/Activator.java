package pcm.trust.internal;

import java.util.Hashtable;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ManagedService;

import pcm.trust.api.BundleTrust;

/**
 * Registers the signing policy ({@link TrustPolicy}: the {@code BundleTrust} service and the {@code pcm.trust}
 * ManagedService) and the {@link DropInGate} with FileInstall, before FileInstall starts (this bundle is at start
 * level 1). No DS: FileInstall's first look at deploy/ happens before SCR has started.
 */
public final class Activator implements BundleActivator {

    private ServiceRegistration<?> gate;
    private ServiceRegistration<?> policy;

    @Override
    public void start(BundleContext context) {
        TrustPolicy trust = new TrustPolicy(context);
        Hashtable<String, Object> policyProps = new Hashtable<>();
        policyProps.put(Constants.SERVICE_PID, TrustPolicy.PID);
        policy = context.registerService(new String[] {BundleTrust.class.getName(), ManagedService.class.getName()}, trust, policyProps);
        DropInGate dropIns;
        try {
            dropIns = new DropInGate(trust);
        } catch (NoClassDefFoundError noFileInstall) {
            return; // a runtime without FileInstall (optional import) has no deploy/ to guard
        }
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("service.ranking", Integer.MAX_VALUE); // first asked, before FileInstall's own bundle handling
        gate = context.registerService(org.apache.felix.fileinstall.ArtifactTransformer.class.getName(), dropIns, props);
    }

    @Override
    public void stop(BundleContext context) {
        if (gate != null) gate.unregister();
        if (policy != null) policy.unregister();
    }
}
