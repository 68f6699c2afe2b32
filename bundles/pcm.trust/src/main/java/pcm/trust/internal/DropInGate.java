package pcm.trust.internal;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.util.jar.JarFile;
import java.util.jar.Manifest;

import org.apache.felix.fileinstall.ArtifactTransformer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.trust.api.BundleTrust;
import pcm.trust.api.UntrustedBundleException;

/**
 * FileInstall's way in for bundles in {@code <data>/deploy/}: it asks this transformer (ranked first) before its own
 * bundle handling. A jar the policy refuses makes the transformation fail, so FileInstall installs nothing of it (and
 * an earlier version of that file, if one was installed, is uninstalled: the file no longer holds a trusted bundle).
 * A jar that passes is installed from the bytes that were checked, copied to FileInstall's temporary directory, not
 * read again from deploy/.
 */
final class DropInGate implements ArtifactTransformer {

    private static final Logger LOG = LoggerFactory.getLogger(DropInGate.class);

    private final BundleTrust policy;

    DropInGate(BundleTrust policy) {
        this.policy = policy;
    }

    /** Bundles, as FileInstall's own transformer takes them: a jar whose manifest names a symbolic name. */
    @Override
    public boolean canHandle(File artifact) {
        if (!artifact.isFile() || !artifact.canRead()) return false;
        try (JarFile jar = new JarFile(artifact, false)) {
            Manifest m = jar.getManifest();
            return m != null && m.getMainAttributes().getValue("Bundle-SymbolicName") != null;
        } catch (IOException | RuntimeException notAJar) {
            return false;
        }
    }

    @Override
    public File transform(File artifact, File tmpDir) throws Exception {
        byte[] bytes = Files.readAllBytes(artifact.toPath());
        try {
            if (policy.check(artifact.toString(), bytes).isEmpty()) return artifact; // not required: FileInstall reads the file as ever
        } catch (UntrustedBundleException e) {
            LOG.error("deploy: refused, nothing of it installed: {}", e.getMessage());
            throw e;
        }
        File checked = new File(tmpDir, "checked-" + System.nanoTime() + "-" + artifact.getName());
        Files.write(checked.toPath(), bytes);
        return checked;
    }
}
