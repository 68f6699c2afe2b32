package pcm.config.internal;

import java.util.Hashtable;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationPlugin;

/** Registers the {@link ValidatingPlugin}; nothing else (no SCR: it must be there before SCR delivers configurations). */
public final class Activator implements BundleActivator {

    private ServiceRegistration<ConfigurationPlugin> registration;

    @Override
    public void start(BundleContext context) {
        Hashtable<String, Object> props = new Hashtable<>();
        // within 0..1000: a plug-in that modifies (ConfigurationPlugin.CM_RANKING); early, so later ones see checked values
        props.put(ConfigurationPlugin.CM_RANKING, 0);
        registration = context.registerService(ConfigurationPlugin.class, new ValidatingPlugin(context), props);
    }

    @Override
    public void stop(BundleContext context) {
        if (registration != null) registration.unregister();
    }
}
