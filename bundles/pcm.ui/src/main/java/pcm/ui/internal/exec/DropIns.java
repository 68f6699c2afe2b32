package pcm.ui.internal.exec;

import java.io.File;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;

import pcm.trust.api.BundleTrust;

/**
 * Waits until FileInstall has taken what was in its directories when the framework started
 * (bundles in {@code <data>/deploy}, {@code *.cfg}/{@code *.config} in {@code <data>/conf}), so a
 * headless command sees the drop-ins, as an operator at the shell would a moment later.
 */
public final class DropIns {

    /** FileInstall marks the configurations it creates with the file they came from. */
    static final String FILENAME = "felix.fileinstall.filename";

    private DropIns() {}

    /** Returns true if there was anything to wait for. */
    public static boolean await(BundleContext context, long maxMillis) throws InterruptedException {
        String dirs = context.getProperty("felix.fileinstall.dir");
        if (dirs == null || Arrays.stream(context.getBundles())
            .noneMatch(b -> "org.apache.felix.fileinstall".equals(b.getSymbolicName()) && b.getState() == Bundle.ACTIVE))
            return false;
        List<File> bundles = new ArrayList<>();
        List<File> configs = new ArrayList<>();
        for (String d : dirs.split(",")) {
            File[] files = new File(d.trim()).listFiles(File::isFile);
            if (files == null) continue;
            for (File f : files) {
                String n = f.getName().toLowerCase(Locale.ROOT);
                if (n.endsWith(".jar")) bundles.add(f);
                else if (n.endsWith(".cfg") || n.endsWith(".config")) configs.add(f);
            }
        }
        if (bundles.isEmpty() && configs.isEmpty()) return false;
        long deadline = System.currentTimeMillis() + maxMillis;
        while (System.currentTimeMillis() < deadline) {
            if (bundlesInstalled(context, bundles) && configsApplied(context, configs)) return true;
            Thread.sleep(50);
        }
        return true;
    }

    private static boolean bundlesInstalled(BundleContext context, List<File> jars) {
        Bundle[] all = context.getBundles();
        for (File jar : jars) {
            String uri = jar.toURI().normalize().toString();
            boolean found = false;
            for (Bundle b : all) {
                String loc = b.getLocation();
                if (loc != null && (loc.equals(uri) || loc.endsWith(jar.getAbsolutePath()) || loc.endsWith("/" + jar.getName()))
                    && (started(b) || ReadinessProbe.unresolvable(context.getBundle(0).adapt(FrameworkWiring.class), b))) found = true;
            }
            if (!found && !refused(context, jar)) return false;
        }
        return true;
    }

    /** A drop-in the signing policy refused (pcm.trust): it never will be installed, so nothing waits for it. */
    private static boolean refused(BundleContext context, File jar) {
        ServiceReference<BundleTrust> ref = context.getServiceReference(BundleTrust.class);
        BundleTrust trust = ref == null ? null : context.getService(ref);
        if (trust == null) return false;
        try {
            return trust.refusal(jar.getAbsolutePath()).isPresent();
        } finally {
            context.ungetService(ref);
        }
    }

    /**
     * FileInstall installs, refreshes, then starts: wait for the start (a fragment only resolves). One that cannot
     * resolve (a second pcm.core: a singleton) is taken as it is.
     */
    private static boolean started(Bundle b) {
        if (b.getHeaders().get("Fragment-Host") != null) return b.getState() == Bundle.RESOLVED;
        return b.getState() == Bundle.ACTIVE;
    }

    private static boolean configsApplied(BundleContext context, List<File> files) {
        if (files.isEmpty()) return true;
        ServiceReference<ConfigurationAdmin> ref = context.getServiceReference(ConfigurationAdmin.class);
        if (ref == null) return true; // nobody can apply them
        ConfigurationAdmin cm = context.getService(ref);
        if (cm == null) return true;
        try {
            Configuration[] cs = cm.listConfigurations("(" + FILENAME + "=*)");
            List<String> known = new ArrayList<>();
            if (cs != null) for (Configuration c : cs) known.add(String.valueOf(c.getProperties().get(FILENAME)));
            for (File f : files)
                if (known.stream().noneMatch(k -> k.endsWith("/" + f.getName()) || k.endsWith(File.separator + f.getName())))
                    return false;
            return true;
        } catch (IOException | InvalidSyntaxException e) {
            return true;
        } finally {
            context.ungetService(ref);
        }
    }
}
