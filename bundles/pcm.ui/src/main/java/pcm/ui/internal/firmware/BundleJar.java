package pcm.ui.internal.firmware;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.util.Enumeration;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.osgi.framework.Bundle;

/**
 * An installed bundle's content as a jar again, from its own entries (not those of attached fragments): the framework
 * has no API that hands out the jar it installed, and its cache layout is its own. What a rollback puts back.
 */
final class BundleJar {

    private BundleJar() {}

    static byte[] of(Bundle bundle) throws IOException {
        URL manifestUrl = bundle.getEntry("META-INF/MANIFEST.MF");
        if (manifestUrl == null) throw new IOException(bundle.getSymbolicName() + " has no META-INF/MANIFEST.MF entry");
        Manifest manifest;
        try (InputStream in = manifestUrl.openStream()) {
            manifest = new Manifest(in);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream out = new JarOutputStream(bytes, manifest)) {
            copy(bundle, "/", out);
        }
        return bytes.toByteArray();
    }

    private static void copy(Bundle bundle, String dir, JarOutputStream out) throws IOException {
        Enumeration<String> paths = bundle.getEntryPaths(dir);
        if (paths == null) return;
        while (paths.hasMoreElements()) {
            String path = paths.nextElement();
            if (path.equals("META-INF/MANIFEST.MF") || path.equals("META-INF/")) {
                if (path.equals("META-INF/")) copy(bundle, path, out);
                continue;
            }
            if (path.endsWith("/")) {
                out.putNextEntry(new JarEntry(path)); // explicit directories: findEntries and getEntryPaths see them in every framework
                out.closeEntry();
                copy(bundle, path, out);
                continue;
            }
            URL url = bundle.getEntry(path);
            if (url == null) continue;
            out.putNextEntry(new JarEntry(path));
            try (InputStream in = url.openStream()) {
                in.transferTo(out);
            }
            out.closeEntry();
        }
    }
}
