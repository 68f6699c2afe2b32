package pcm.ui.internal.exec;

import java.util.List;
import java.util.Map;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.condition.Condition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the OSGi Condition {@code osgi.condition.id=pcm.ready} once the runtime is up ({@link Readiness}: every
 * bundle to start has started, no component is on its way, the kernel has bound every backend). The headless runner
 * waits for it; anything else may too (a DS component: {@code osgi.ds.satisfying.condition.target=(osgi.condition.id=pcm.ready)}).
 * Registered once per start: what is installed later (a drop-in) does not withdraw it.
 * <p>
 * SCR reports no event when an immediate component without services finishes activating, so this looks every
 * {@value #POLL_MILLIS} ms until ready; it costs a few DTO snapshots at start and nothing after.
 */
@Component(immediate = true)
public class ReadinessCondition {

    public static final String ID = "pcm.ready";
    public static final String FILTER = "(&(objectClass=" + Condition.class.getName() + ")(" + Condition.CONDITION_ID + "=" + ID + "))";
    static final long POLL_MILLIS = 25;

    private static final Logger LOG = LoggerFactory.getLogger(ReadinessCondition.class);

    private volatile Thread thread;
    private volatile ServiceRegistration<Condition> registration;

    @Activate
    void activate(BundleContext context) {
        long start = System.nanoTime();
        Thread t = new Thread(() -> {
            try {
                List<String> pending = ReadinessProbe.pending(context);
                while (!pending.isEmpty()) {
                    Thread.sleep(POLL_MILLIS);
                    pending = ReadinessProbe.pending(context);
                }
                registration = context.registerService(Condition.class, Condition.INSTANCE,
                    new java.util.Hashtable<>(Map.of(Condition.CONDITION_ID, ID)));
                LOG.debug("ready ({} registered) {} ms after pcm.ui started", ID, (System.nanoTime() - start) / 1_000_000);
            } catch (InterruptedException | IllegalStateException stopping) {
                // deactivated or the bundle is stopping
            }
        }, "pcm-readiness");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    @Deactivate
    void deactivate() {
        Thread t = thread;
        if (t != null) {
            t.interrupt();
            try {
                t.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        ServiceRegistration<Condition> r = registration;
        registration = null;
        if (r != null) {
            try {
                r.unregister();
            } catch (IllegalStateException gone) {
                // already unregistered with the bundle
            }
        }
    }
}
