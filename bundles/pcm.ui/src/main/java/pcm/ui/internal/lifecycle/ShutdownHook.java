package pcm.ui.internal.lifecycle;

import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.launch.Framework;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops the runtime in order when the JVM is asked to end — SIGTERM ({@code bin/pcm stop}), SIGINT (Ctrl-C of
 * {@code bin/pcm run}), {@code System.exit} of the headless runner. The bnd launcher installs no shutdown hook: before
 * this (issue 16 item 1), the JVM ended with the framework running, and a window being recorded was left TORN
 * (no END trailer) and its verdicts never came. Now the kernel is quiesced ({@link OrderlyShutdown}), then the
 * framework is stopped and waited for.
 */
@Component(immediate = true, configurationPid = ShutdownConfig.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL)
@Designate(ocd = ShutdownConfig.class)
public class ShutdownHook {

    private static final Logger LOG = LoggerFactory.getLogger(ShutdownHook.class);

    private final BundleContext context;
    private final Thread hook;
    private volatile ShutdownConfig config;
    private volatile boolean running;

    @Activate
    public ShutdownHook(BundleContext context, ShutdownConfig config) {
        this.context = context;
        this.config = config;
        this.hook = Thread.ofPlatform().name("pcm-shutdown").unstarted(this::stopRuntime);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    @Modified
    void modified(ShutdownConfig c) {
        config = c;
    }

    @Deactivate
    void deactivate() {
        if (running) return; // deactivated by the stop this hook started
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // the JVM is ending: the hook runs (or ran) anyway and finds the framework stopping
        }
    }

    private void stopRuntime() {
        running = true;
        ShutdownConfig c = config;
        try {
            Framework framework = (Framework) context.getBundle(0);
            LOG.debug("shutdown: the JVM is ending; stopping PCM in order");
            OrderlyShutdown.quiesce(context, c);
            framework.stop();
            FrameworkEvent e = framework.waitForStop(c.frameworkStopMillis());
            if (e.getType() == FrameworkEvent.WAIT_TIMEDOUT)
                LOG.warn("shutdown: the framework did not stop within {} ms", c.frameworkStopMillis());
        } catch (IllegalStateException stopped) {
            // the framework stopped by itself (stop 0 in the shell): nothing to do
        } catch (BundleException | InterruptedException e) {
            LOG.warn("shutdown: {}", e.toString());
        }
    }
}
