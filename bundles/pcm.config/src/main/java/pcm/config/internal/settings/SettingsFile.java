package pcm.config.internal.settings;

import java.io.IOException;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.Map;
import java.util.Properties;

import org.apache.felix.cm.file.ConfigurationHandler;

/**
 * Where a PID's settings are kept and how they are written: the file FileInstall already reads for the PID (its
 * {@code felix.fileinstall.filename}), else {@code <conf>/<pid>.config}. A {@code .config} gets Felix's typed format;
 * a {@code .cfg} (Java properties: text only) gets the values as text, and cannot hold a list. Writing an existing
 * {@code .cfg} in place, rather than replacing it by a {@code .config}, never has FileInstall see the PID's file
 * deleted (which deletes the configuration: the component would run on its defaults until the new file is read).
 */
public final class SettingsFile {

    static final String FILE_KEY = "felix.fileinstall.filename";
    /**
     * Held by every read-merge-write of conf/ (a settings change, an import, a restore): two writers of one PID must not
     * lose each other's values. One per class loader is one per runtime: a runtime has one conf/.
     */
    public static final Object CONF_WRITES = new Object();

    private final Path confDir;
    private final Path scratchDir;

    /** {@code scratchDir}: where the new file is written before it is moved into conf/ (same file system). */
    public SettingsFile(Path confDir, Path scratchDir) {
        this.confDir = confDir;
        this.scratchDir = scratchDir;
    }

    public Path confDir() {
        return confDir;
    }

    public Path scratchDir() {
        return scratchDir;
    }

    /**
     * The file that holds the PID's configuration, existing or to be created; a factory configuration
     * {@code factoryPid~name} is created as {@code factoryPid-name.config}, the file name FileInstall reads as one.
     */
    public Path of(String pid, Dictionary<String, Object> current) {
        Object f = current == null ? null : current.get(FILE_KEY);
        if (f != null) {
            try {
                return Path.of(URI.create(String.valueOf(f)));
            } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
                // not a file URI: our own below
            }
        }
        return confDir.resolve(pid.replace('~', '-') + ".config");
    }

    /** The file FileInstall read the configuration from, or null (set through Config Admin, or a customer's file). */
    public static Path loadedFrom(Dictionary<String, Object> current) {
        Object f = current == null ? null : current.get(FILE_KEY);
        if (f == null) return null;
        try {
            return Path.of(URI.create(String.valueOf(f)));
        } catch (IllegalArgumentException | java.nio.file.FileSystemNotFoundException e) {
            return null;
        }
    }

    public static boolean plain(Path file) {
        return file.getFileName().toString().endsWith(".cfg");
    }

    /** Framework, SCR and FileInstall keys: not settings, never written back. */
    public static boolean internal(String key) {
        return key.startsWith("service.") || key.startsWith("felix.fileinstall.") || key.startsWith("component.");
    }

    /**
     * A configuration's list of keys that a PCM component sets at run time (pcm.redfish's HttpsSetup in Felix HTTP's
     * {@code org.apache.felix.http}: the HTTPS switch and the keystore with its password). They are not the operator's
     * settings: never written to a conf/ file, never exported (a file holding them would carry the password and turn
     * HTTPS on in runs that must not serve at all).
     */
    public static final String MANAGED_KEYS = "pcm.managed.keys";

    /** The keys {@link #MANAGED_KEYS} names in this configuration, and that key itself. */
    public static java.util.Set<String> managed(Dictionary<String, Object> current) {
        java.util.Set<String> out = new java.util.HashSet<>();
        Object m = current == null ? null : current.get(MANAGED_KEYS);
        if (m == null) return out;
        out.add(MANAGED_KEYS);
        if (m instanceof String[] a) out.addAll(java.util.List.of(a));
        else if (m instanceof java.util.Collection<?> c) c.forEach(x -> out.add(String.valueOf(x)));
        else out.add(String.valueOf(m));
        return out;
    }

    /** The current settings (internal and run-time managed keys left out) with {@code changes} over them. */
    public static Hashtable<String, Object> merged(Dictionary<String, Object> current, Map<String, Object> changes) {
        Hashtable<String, Object> next = new Hashtable<>();
        java.util.Set<String> managed = managed(current);
        if (current != null) {
            for (Enumeration<String> keys = current.keys(); keys.hasMoreElements(); ) {
                String k = keys.nextElement();
                if (!internal(k) && !managed.contains(k)) next.put(k, current.get(k));
            }
        }
        next.putAll(changes);
        return next;
    }

    /** The file's bytes: Felix's typed format for a {@code .config}, Java properties (text) for a {@code .cfg}. */
    public static byte[] render(Path file, Hashtable<String, Object> props) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        if (plain(file)) {
            Properties p = new Properties();
            props.forEach((k, v) -> p.setProperty(k, String.valueOf(v)));
            p.store(out, "written by PCM's settings service");
        } else ConfigurationHandler.write(out, props);
        return out.toByteArray();
    }

    /** Writes into {@code scratchDir}, then moves into place: FileInstall never reads half a file (nor a temp file as a bundle). */
    public void write(Path file, Hashtable<String, Object> props) throws IOException {
        Files.createDirectories(scratchDir);
        Files.createDirectories(file.getParent());
        Path tmp = Files.createTempFile(scratchDir, "settings", ".tmp");
        try {
            Files.write(tmp, render(file, props));
            try {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
