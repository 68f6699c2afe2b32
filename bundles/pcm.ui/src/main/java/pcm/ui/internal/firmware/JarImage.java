package pcm.ui.internal.firmware;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.jar.Attributes;
import java.util.jar.JarInputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipException;

import org.osgi.framework.Version;

import pcm.ui.api.firmware.FirmwareException;
import pcm.ui.api.firmware.FirmwareException.Kind;

/**
 * An uploaded jar, checked before the framework sees it: a zip with a manifest (first entry or not) that names an
 * OSGi bundle, its symbolic name and version. The framework checks the rest of the manifest when it installs it.
 */
public record JarImage(String symbolicName, Version version, boolean fragment, byte[] bytes) {

    public static JarImage check(byte[] bytes) throws FirmwareException {
        if (bytes == null || bytes.length == 0) throw malformed("the image is empty");
        if (bytes.length < 4 || bytes[0] != 'P' || bytes[1] != 'K') throw malformed("not a jar: it does not start like a zip file");
        Manifest manifest;
        try (JarInputStream in = new JarInputStream(new ByteArrayInputStream(bytes), false)) {
            manifest = in.getManifest();
            if (manifest == null) { // JarInputStream finds it only among the first entries
                for (var e = in.getNextJarEntry(); e != null && manifest == null; e = in.getNextJarEntry())
                    if (e.getName().equals("META-INF/MANIFEST.MF")) manifest = new Manifest(in);
            }
            for (var e = in.getNextJarEntry(); e != null; e = in.getNextJarEntry()) in.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (ZipException e) {
            throw malformed("not a jar: " + e.getMessage());
        } catch (IOException e) {
            throw malformed("the jar cannot be read: " + e.getMessage());
        }
        if (manifest == null) throw malformed("no META-INF/MANIFEST.MF: not a bundle");
        Attributes a = manifest.getMainAttributes();
        String manifestVersion = a.getValue("Bundle-ManifestVersion");
        if (manifestVersion != null && !manifestVersion.strip().equals("2"))
            throw malformed("Bundle-ManifestVersion is " + manifestVersion + "; only 2 (OSGi R4 and later) is taken");
        String bsn = a.getValue("Bundle-SymbolicName");
        if (bsn == null || bsn.isBlank()) throw malformed("the manifest has no Bundle-SymbolicName: not a bundle");
        String name = bsn.split(";", 2)[0].strip();
        if (name.isEmpty() || !name.matches("[A-Za-z0-9_.-]+"))
            throw malformed("Bundle-SymbolicName '" + bsn + "' is not a symbolic name");
        String v = a.getValue("Bundle-Version");
        if (v == null || v.isBlank()) throw malformed("the manifest of " + name + " has no Bundle-Version");
        Version version;
        try {
            version = Version.parseVersion(v.strip());
        } catch (IllegalArgumentException e) {
            throw malformed("Bundle-Version '" + v + "' of " + name + " is not an OSGi version (major.minor.micro.qualifier): " + e.getMessage());
        }
        return new JarImage(name, version, a.getValue("Fragment-Host") != null, bytes);
    }

    private static FirmwareException malformed(String why) {
        return new FirmwareException(Kind.MALFORMED, why + "; nothing installed");
    }
}
