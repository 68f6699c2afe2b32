package pcm.ui.internal.shell;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.SynchronousBundleListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

/**
 * Lets the JLine Gogo shell find JLine's terminal providers. {@code org.jline}'s {@code TerminalProvider.load} looks
 * its provider files up through the thread context class loader and only falls back to its own class loader when there
 * is none; the Gogo JLine bundle builds its terminal on the thread that starts it (the framework's start-level thread),
 * whose context loader is the launcher's, which sees no bundle. Without this every interactive shell got a dumb
 * terminal: no line editing, no history recall, Ctrl-C killed PCM.
 * <p>
 * While {@code org.apache.felix.gogo.jline} starts (the synchronous STARTING and STARTED events come on the thread that
 * starts it), that thread's context loader is cleared; it is put back afterwards, so nothing else is affected.
 */
@Component(immediate = true)
public class TerminalProviderLoader implements SynchronousBundleListener {

    static final String GOGO_JLINE = "org.apache.felix.gogo.jline";

    private final BundleContext context;
    private final ThreadLocal<ClassLoader> saved = new ThreadLocal<>();

    @Activate
    public TerminalProviderLoader(BundleContext context) {
        this.context = context;
        context.addBundleListener(this);
    }

    @Deactivate
    void deactivate() {
        context.removeBundleListener(this);
    }

    @Override
    public void bundleChanged(BundleEvent event) {
        Bundle b = event.getBundle();
        if (!GOGO_JLINE.equals(b.getSymbolicName())) return;
        Thread t = Thread.currentThread();
        switch (event.getType()) {
            case BundleEvent.STARTING -> {
                saved.set(t.getContextClassLoader());
                t.setContextClassLoader(null);
            }
            case BundleEvent.STARTED -> {
                t.setContextClassLoader(saved.get());
                saved.remove();
            }
            default -> { }
        }
    }
}
