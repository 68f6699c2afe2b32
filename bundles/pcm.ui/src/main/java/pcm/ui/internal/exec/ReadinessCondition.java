package pcm.ui.internal.exec;

import java.util.List;
import java.util.Map;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.FrameworkEvent;
import org.osgi.framework.FrameworkListener;
import org.osgi.framework.ServiceRegistration;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.condition.Condition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the OSGi Condition {@code osgi.condition.id=pcm.ready} once the runtime is up ({@link Readiness}: the
 * framework has finished raising its start level, every bundle to start has started, no component is on its way, the kernel has bound every backend). The headless runner
 * waits for it; anything else may too (a DS component: {@code osgi.ds.satisfying.condition.target=(osgi.condition.id=pcm.ready)}).
 * Registered once per start: what is installed later (a drop-in) does not withdraw it.
 * <p>
 * SCR reports no event when an immediate component without services finishes activating, so this looks every
 * {@value #POLL_MILLIS} ms (longer on a slow host: {@link #pauseAfter}) until ready; it costs a few DTO snapshots at
 * start and nothing after.
 */
@Component(immediate = true)
public class ReadinessCondition {

    public static final String ID = "pcm.ready";
    public static final String FILTER = "(&(objectClass=" + Condition.class.getName() + ")(" + Condition.CONDITION_ID + "=" + ID + "))";
    static final long POLL_MILLIS = 25;
    static final long SLOW_POLL_MILLIS = 1000;
    /** The headless runner's default timeout: an interactive runtime that is not ready by then says why. */
    static final long WARN_MILLIS = ExecRunner.DEFAULT_TIMEOUT * 1000;

    private static final Logger LOG = LoggerFactory.getLogger(ReadinessCondition.class);

    private volatile Thread thread;
    private volatile ServiceRegistration<Condition> registration;

    private volatile FrameworkListener startLevel;

    /**
     * The pause before the next look, given how long the last one took: at least {@value #POLL_MILLIS} ms, and four
     * times the look itself, so looking never takes more than a fifth of a CPU. A snapshot of every component's DTOs
     * takes milliseconds on a host, but hundreds inside QEMU's software emulation (the emulated SVM host, issue 12),
     * where a 25 ms cadence kept one of its two CPUs busy with readiness checks for the whole start and beyond
     * (the busiest thread of a profiled run there).
     */
    static long pauseAfter(long lookedNanos) {
        return Math.max(POLL_MILLIS, 4 * lookedNanos / 1_000_000);
    }

    @Activate
    void activate(BundleContext context) {
        long start = System.nanoTime();
        FrameworkStartLevel fsl = context.getBundle(0).adapt(FrameworkStartLevel.class);
        FrameworkListener l = e -> {
            if (e.getType() == FrameworkEvent.STARTED || e.getType() == FrameworkEvent.STARTLEVEL_CHANGED) {
                ReadinessProbe.startLevelDone = true;
                LOG.debug("the framework has finished raising its start level (at {})", fsl == null ? "?" : fsl.getStartLevel());
            }
        };
        startLevel = l;
        context.addFrameworkListener(l);
        // Started by the start-level thread, the framework is at our own level; above it, we were started later (a
        // restart of pcm.ui) and the framework's raise is over: its event will not come again.
        BundleStartLevel own = context.getBundle().adapt(BundleStartLevel.class);
        if (context.getBundle(0).getState() == Bundle.ACTIVE && fsl != null && own != null && fsl.getStartLevel() > own.getStartLevel())
            ReadinessProbe.startLevelDone = true;
        Thread t = new Thread(() -> {
            try {
                long t0 = System.nanoTime();
                List<String> pending = ReadinessProbe.pending(context);
                long lookedNanos = System.nanoTime() - t0;
                boolean warned = false;
                while (!pending.isEmpty()) {
                    // something is never coming after all (the rules missed it): say so once, keep looking, slowly
                    long waited = (System.nanoTime() - start) / 1_000_000;
                    if (!warned && waited > WARN_MILLIS) {
                        warned = true;
                        LOG.warn("not ready after {} s: {}", waited / 1000, String.join("; ", pending));
                    }
                    Thread.sleep(warned ? SLOW_POLL_MILLIS : pauseAfter(lookedNanos));
                    long looking = System.nanoTime();
                    pending = ReadinessProbe.pending(context);
                    lookedNanos = System.nanoTime() - looking;
                }
                registration = context.registerService(Condition.class, Condition.INSTANCE,
                    new java.util.Hashtable<>(Map.of(Condition.CONDITION_ID, ID)));
                LOG.debug("ready ({} registered) {} ms after pcm.ui started, at start level {}", ID,
                    (System.nanoTime() - start) / 1_000_000, fsl == null ? "?" : fsl.getStartLevel());
            } catch (InterruptedException | IllegalStateException stopping) {
                // deactivated or the bundle is stopping
            }
        }, "pcm-readiness");
        t.setDaemon(true);
        thread = t;
        t.start();
    }

    @Deactivate
    void deactivate(BundleContext context) {
        FrameworkListener l = startLevel;
        if (l != null) {
            try {
                context.removeFrameworkListener(l);
            } catch (IllegalStateException stopping) {
                // the bundle is stopping: the framework drops it
            }
        }
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
