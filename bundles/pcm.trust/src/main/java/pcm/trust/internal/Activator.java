package pcm.trust.internal;

import java.util.Hashtable;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;

/**
 * Registers the {@link DropInGate} with FileInstall before FileInstall starts (this bundle is at start level 1); the
 * policy it applies ({@link TrustService}) comes with SCR, later.
 */
public final class Activator implements BundleActivator {

    private ServiceRegistration<?> gate;
    private DropInGate dropIns;

    @Override
    public void start(BundleContext context) {
        try {
            dropIns = new DropInGate(context);
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
        if (dropIns != null) dropIns.close();
    }
}
