package pcm.config.internal.settings;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.Properties;

import org.apache.felix.cm.file.ConfigurationHandler;

/** Test helper: a {@code conf/} file read as FileInstall reads it (typed {@code .config}, else properties). */
public final class ConfFiles {

    private ConfFiles() {}

    @SuppressWarnings("unchecked")
    public static Dictionary<String, Object> read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            if (file.toString().endsWith(".config")) return ConfigurationHandler.read(in);
            Properties p = new Properties();
            p.load(in);
            Hashtable<String, Object> d = new Hashtable<>();
            p.forEach((k, v) -> d.put((String) k, v));
            return d;
        }
    }
}
