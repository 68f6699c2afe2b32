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
 * <p>
 * A headless runtime ({@code gosh.args} with {@code --nointeractive}) started without bin/pcm (the itests, a plain
 * {@code java -jar pcm.jar}) gets what bin/pcm passes: {@code gosh.home} with PCM's headless profile (Gogo JLine's
 * default one needs a line reader and prints an error without one) and {@code org.jline.terminal.dumb=true} (no
 * warning that there is no terminal), as system properties, only where they are not set.
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

    private void headlessDefaults() {
        String args = context.getProperty("gosh.args");
        if (args == null || !args.contains("--nointeractive")) return;
        if (System.getProperty("org.jline.terminal.dumb") == null) System.setProperty("org.jline.terminal.dumb", "true");
        if (context.getProperty("gosh.home") != null) return;
        try {
            java.nio.file.Path home = java.nio.file.Files.createTempDirectory("pcm-gosh");
            java.nio.file.Path etc = java.nio.file.Files.createDirectories(home.resolve("etc"));
            try (java.io.InputStream in = TerminalProviderLoader.class.getResourceAsStream("/pcm/ui/gosh/headless_profile")) {
                if (in == null) return;
                java.nio.file.Files.copy(in, etc.resolve("gosh_profile"));
            }
            home.toFile().deleteOnExit();
            etc.toFile().deleteOnExit();
            etc.resolve("gosh_profile").toFile().deleteOnExit();
            System.setProperty("gosh.home", home.toString());
        } catch (java.io.IOException e) {
            // the default profile then prints its error: harmless
        }
    }

    @Override
    public void bundleChanged(BundleEvent event) {
        Bundle b = event.getBundle();
        if (!GOGO_JLINE.equals(b.getSymbolicName())) return;
        Thread t = Thread.currentThread();
        switch (event.getType()) {
            case BundleEvent.STARTING -> {
                headlessDefaults();
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
