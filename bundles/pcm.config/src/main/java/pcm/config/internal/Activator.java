package pcm.config.internal;

import java.util.Hashtable;

import org.osgi.framework.BundleActivator;
import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.ConfigurationPlugin;
import org.osgi.service.log.LogService;

import pcm.config.internal.customer.ConfiguratorResources;

/**
 * Registers the {@link ValidatingPlugin} (with the runtime's Configurator resources, the customers' JSON) and the
 * {@link OsgiLogBridge}; nothing else (no SCR: it must be there before SCR delivers configurations).
 */
public final class Activator implements BundleActivator {

    private ServiceRegistration<ConfigurationPlugin> registration;
    private ServiceRegistration<LogService> logBridge;
    private FrameworkListener startLevelListener;

    @Override
    public void start(BundleContext context) {
        try {
            Hashtable<String, Object> logProps = new Hashtable<>();
            logProps.put(Constants.SERVICE_RANKING, Integer.MIN_VALUE);
            logBridge = context.registerService(LogService.class, new OsgiLogBridge(), logProps);
        } catch (NoClassDefFoundError noLogApi) {
            // a runtime without the Log Service API (optional import): nobody there can use one
        }

        ValidatingPlugin plugin = new ValidatingPlugin(context, new ConfiguratorResources(context));
        Hashtable<String, Object> props = new Hashtable<>();
        // within 0..1000: a plug-in that modifies (ConfigurationPlugin.CM_RANKING); early, so later ones see checked values
        props.put(ConfigurationPlugin.CM_RANKING, 0);
        registration = context.registerService(ConfigurationPlugin.class, plugin, props);
        // customer files are checked whole once the bundles (and their metatype) are there: at each raise of the start level
        startLevelListener = event -> {
            if (event.getType() == FrameworkEvent.STARTLEVEL_CHANGED) plugin.checkCustomerResources();
        };
        context.addFrameworkListener(startLevelListener);
    }

    @Override
    public void stop(BundleContext context) {
        context.removeFrameworkListener(startLevelListener);
        if (registration != null) registration.unregister();
        if (logBridge != null) logBridge.unregister();
    }
}
