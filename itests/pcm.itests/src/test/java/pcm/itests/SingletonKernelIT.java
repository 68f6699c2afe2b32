package pcm.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarInputStream;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.junit.jupiter.api.Test;

/**
 * Issue 11 item 10: a second pcm.core dropped into deploy/ started a second kernel (a second VM manager, sampler and
 * event log), and both recorded the same window. pcm.core is a singleton bundle: the framework resolves one bundle of
 * that symbolic name at a time, so a copy of another version stays INSTALLED and none of its components activate.
 * (A copy of the same version is refused at install already: symbolic name and version must be unique.)
 */
class SingletonKernelIT {

    /** Copies a bundle with another Bundle-Version in its manifest. */
    static void copyWithVersion(Path from, Path to, String version) throws Exception {
        try (JarInputStream in = new JarInputStream(Files.newInputStream(from))) {
            Manifest m = new Manifest(in.getManifest());
            m.getMainAttributes().put(new Attributes.Name("Bundle-Version"), version);
            try (OutputStream os = Files.newOutputStream(to); JarOutputStream out = new JarOutputStream(os, m)) {
                for (JarEntry e; (e = in.getNextJarEntry()) != null; ) {
                    out.putNextEntry(new JarEntry(e.getName()));
                    in.transferTo(out);
                    out.closeEntry();
                }
            }
        }
    }

    @Test
    void aSecondCoreOfAnotherVersionDoesNotStartASecondKernel() throws Exception {
        LauncherIT.paths();
        Path data = LauncherIT.data.resolveSibling("singleton-data");
        Files.createDirectories(data.resolve("deploy"));
        Files.createDirectories(data.resolve("conf"));
        copyWithVersion(Path.of(System.getProperty("b.pcm.core")), data.resolve("deploy/pcm.core-copy.jar"), "0.1.99");
        LauncherIT.Run r = LauncherIT.exec(data, "pcm:status");
        assertEquals(0, r.status(), r.out() + r.err());
        List<String> cores = r.out().lines().filter(l -> l.matches(".*\\bpcm\\.core\\b.*")
                && (l.contains("ACTIVE") || l.contains("INSTALLED") || l.contains("RESOLVED"))).toList();
        assertEquals(2, cores.size(), "both pcm.core bundles are listed: " + r.out());
        assertEquals(1, cores.stream().filter(l -> l.contains("ACTIVE")).count(), "one kernel: " + r.out());
        assertTrue(cores.stream().anyMatch(l -> l.contains("0.1.99") && l.contains("INSTALLED")), "the copy stays unresolved: " + r.out());
        LauncherIT.Run vms = LauncherIT.exec(data, "pcm:services Vm");
        assertEquals(0, vms.status(), vms.out() + vms.err());
        assertTrue(vms.out().contains("Vm (1)"), "one VM manager: " + vms.out());
    }
}
