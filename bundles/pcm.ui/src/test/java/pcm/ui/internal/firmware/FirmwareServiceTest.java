package pcm.ui.internal.firmware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;

import org.apache.felix.framework.Felix;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;

import pcm.ui.api.firmware.FirmwareException;
import pcm.ui.api.firmware.FirmwareImage;

/**
 * Firmware updates in a real OSGi framework (Felix, as PCM runs): a bundle updated from a jar, the previous version
 * kept and rolled back to, a malformed or unresolvable jar refused with what was wrong while the installed version
 * stays active, and an update refused when it would restart what the (stand-in) guest guard protects.
 */
class FirmwareServiceTest {

    @TempDir
    Path dir;
    Felix felix;
    /** Symbolic names whose restart the guard refuses (a stand-in for "the VM's bundle while a guest runs"). */
    final List<String> guarded = new java.util.ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        Map<String, Object> config = new HashMap<>();
        config.put(Constants.FRAMEWORK_STORAGE, dir.resolve("cache").toString());
        config.put(Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT);
        felix = new Felix(config);
        felix.start();
    }

    @AfterEach
    void stop() throws Exception {
        felix.stop();
        felix.waitForStop(10_000);
    }

    FirmwareService service() {
        return new FirmwareService(felix.getBundleContext(), dir.resolve("firmware"), 1 << 20, 10_000, affected ->
                affected.stream().anyMatch(b -> guarded.contains(b.getSymbolicName())) ? "restarts the guest's bundle" : null);
    }

    /** A bundle jar: its headers and one text entry saying which version it is. */
    static byte[] jar(String bsn, String version, String... headers) throws IOException {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        if (bsn != null) a.putValue("Bundle-SymbolicName", bsn);
        if (version != null) a.putValue("Bundle-Version", version);
        for (int i = 0; i < headers.length; i += 2) a.putValue(headers[i], headers[i + 1]);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JarOutputStream j = new JarOutputStream(out, m)) {
            j.putNextEntry(new JarEntry("fw/"));
            j.closeEntry();
            j.putNextEntry(new JarEntry("fw/which.txt"));
            j.write(("content of " + version).getBytes(StandardCharsets.UTF_8));
            j.closeEntry();
        }
        return out.toByteArray();
    }

    static String content(Bundle b) throws IOException {
        URL u = b.getEntry("fw/which.txt");
        try (InputStream in = u.openStream()) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    Bundle installed(String bsn, String version, String... headers) throws Exception {
        Bundle b = felix.getBundleContext().installBundle("jar/" + bsn + ".jar", new java.io.ByteArrayInputStream(jar(bsn, version, headers)));
        b.start();
        return b;
    }

    @Test
    void anUpdateKeepsThePreviousVersionAndARollbackRestoresIt() throws Exception {
        Bundle b = installed("test.fw", "1.0.0");
        FirmwareService fw = service();
        FirmwareImage now = fw.install(jar("test.fw", "2.0.0"));
        assertEquals("2.0.0", now.version());
        assertEquals(b.getBundleId(), now.bundleId(), "updated in place, not installed beside");
        assertEquals("ACTIVE", now.state());
        assertEquals("content of 2.0.0", content(b));
        List<FirmwareImage> inventory = fw.inventory().stream().filter(i -> i.symbolicName().equals("test.fw")).toList();
        assertEquals(List.of("2.0.0 active", "1.0.0 PREVIOUS"), inventory.stream().map(i -> i.version() + " " + (i.active() ? "active" : i.state())).toList());

        FirmwareImage back = fw.rollback("test.fw");
        assertEquals("1.0.0", back.version());
        assertEquals(Bundle.ACTIVE, b.getState());
        assertEquals("content of 1.0.0", content(b), "the replaced content, entry for entry");
        assertEquals("2.0.0", fw.inventory().stream().filter(i -> !i.active()).findFirst().orElseThrow().version(),
                "the version rolled back is kept in turn");
    }

    @Test
    void aMalformedJarIsRefusedNamingWhatIsWrong() throws Exception {
        Bundle b = installed("test.fw", "1.0.0");
        FirmwareService fw = service();
        for (Object[] bad : new Object[][] {
                {"not a jar".getBytes(StandardCharsets.UTF_8), "not a jar"},
                {new byte[0], "empty"},
                {jar(null, "1.0.0"), "no Bundle-SymbolicName"},
                {jar("test.fw", null), "no Bundle-Version"},
                {jar("test.fw", "two"), "Bundle-Version 'two'"},
                {jar("test.fw", "3.0.0", "Bundle-ManifestVersion", "3"), "Bundle-ManifestVersion"}}) {
            FirmwareException e = assertThrows(FirmwareException.class, () -> fw.install((byte[]) bad[0]));
            assertEquals(FirmwareException.Kind.MALFORMED, e.kind(), e.getMessage());
            assertTrue(e.getMessage().contains((String) bad[1]), e.getMessage());
        }
        ByteArrayOutputStream noManifest = new ByteArrayOutputStream();
        try (var z = new java.util.zip.ZipOutputStream(noManifest)) {
            z.putNextEntry(new java.util.zip.ZipEntry("a.txt"));
            z.closeEntry();
        }
        assertTrue(assertThrows(FirmwareException.class, () -> fw.install(noManifest.toByteArray())).getMessage().contains("MANIFEST.MF"));
        assertEquals("content of 1.0.0", content(b));
        assertEquals(Bundle.ACTIVE, b.getState());
    }

    @Test
    void anUnresolvableUpdateLeavesThePreviousVersionActive() throws Exception {
        Bundle b = installed("test.fw", "1.0.0");
        FirmwareException e = assertThrows(FirmwareException.class, () -> service().install(jar("test.fw", "2.0.0",
                "Import-Package", "no.such.pkg")));
        assertEquals(FirmwareException.Kind.NOT_RESOLVABLE, e.kind());
        assertTrue(e.getMessage().contains("no.such.pkg") && e.getMessage().endsWith("1.0.0 is active again"), e.getMessage());
        assertEquals(Bundle.ACTIVE, b.getState());
        assertEquals("1.0.0", b.getVersion().toString());
        assertFalse(Files.exists(dir.resolve("firmware/test.fw/previous.jar")), "no rollback point for a change that did not happen");
    }

    @Test
    void aNewBundleIsInstalledAndARollbackUninstallsIt() throws Exception {
        FirmwareService fw = service();
        FirmwareImage now = fw.install(jar("test.new", "1.0.0"));
        Bundle b = felix.getBundleContext().getBundle(now.bundleId());
        assertEquals(Bundle.ACTIVE, b.getState());
        assertTrue(b.getLocation().startsWith("file:"), "a location the framework can read again: " + b.getLocation());
        assertEquals("UNINSTALLED", fw.rollback("test.new").state());
        assertEquals(Bundle.UNINSTALLED, b.getState());
        FirmwareException none = assertThrows(FirmwareException.class, () -> fw.install(jar("test.none", "1.0.0", "Import-Package", "no.such.pkg")));
        assertEquals(FirmwareException.Kind.NOT_RESOLVABLE, none.kind());
        assertTrue(fw.inventory().stream().noneMatch(i -> i.symbolicName().equals("test.none")), "nothing installed");
    }

    @Test
    void anUpdateThatWouldRestartTheGuestsBundleIsRefused() throws Exception {
        Bundle api = installed("test.api", "1.0.0", "Export-Package", "test.api;version=1.0");
        installed("test.vm", "1.0.0", "Import-Package", "test.api");
        guarded.add("test.vm");
        FirmwareException e = assertThrows(FirmwareException.class, () -> service().install(jar("test.api", "1.1.0", "Export-Package",
                "test.api;version=1.1")));
        assertEquals(FirmwareException.Kind.REFUSED, e.kind());
        assertTrue(e.getMessage().contains("restarts the guest's bundle"), e.getMessage());
        assertEquals("1.0.0", api.getVersion().toString());
    }

    @Test
    void rereadTakesAJarLocationFromTheRunnableJarOrAFile() throws Exception {
        Path file = dir.resolve("test.file.jar");
        Files.write(file, jar("test.file", "1.0.0"));
        Bundle b = felix.getBundleContext().installBundle(file.toString(), Files.newInputStream(file));
        b.start();
        Files.write(file, jar("test.file", "1.0.1"));
        assertEquals("1.0.1", service().reread(b.getBundleId()).version(), "a location without a protocol, read as a file");
        Bundle lost = installed("test.lost", "1.0.0");
        FirmwareException e = assertThrows(FirmwareException.class, () -> service().reread(lost.getBundleId()));
        assertEquals(FirmwareException.Kind.NOT_FOUND, e.kind());
        assertTrue(e.getMessage().contains("give the jar's URL"), e.getMessage());
    }
    /**
     * Stop 22's CI: an HTTP worker carrying an interrupt asked for an update while another thread held the framework's
     * global lock; Felix gave up waiting ("Unable to acquire global lock for resolve") and the update failed. The change
     * runs on its own thread now; the caller gets its interrupt back.
     */
    @Test
    void aCallerCarryingAnInterruptStillUpdatesWhileAnotherThreadHoldsTheFrameworksLock() throws Exception {
        Bundle b = installed("test.fw", "1.0.0");
        FirmwareService fw = service();
        java.lang.reflect.Method acquire = Felix.class.getDeclaredMethod("acquireGlobalLock");
        java.lang.reflect.Method release = Felix.class.getDeclaredMethod("releaseGlobalLock");
        acquire.setAccessible(true);
        release.setAccessible(true);
        java.util.concurrent.CountDownLatch held = new java.util.concurrent.CountDownLatch(1);
        Thread resolver = new Thread(() -> {
            try {
                acquire.invoke(felix);
                held.countDown();
                Thread.sleep(300); // the update below must wait for the lock, not give up
                release.invoke(felix);
            } catch (ReflectiveOperationException | InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        resolver.start();
        held.await();
        Thread.currentThread().interrupt();
        try {
            assertEquals("2.0.0", fw.install(jar("test.fw", "2.0.0")).version());
            assertTrue(Thread.currentThread().isInterrupted(), "the caller's interrupt is given back");
        } finally {
            Thread.interrupted();
            resolver.join();
        }
        assertEquals("content of 2.0.0", content(b));
        assertEquals(Bundle.ACTIVE, b.getState());
    }

    /** Verifiers, strategies, tracers and exit handlers come and go while the guest runs; a backend or device does not. */
    @Test
    void onlyThePluginInterfacesOfTheKernelLeaveTheGuestAlone() {
        assertTrue(FirmwareService.pluggable(new String[] {"pcm.core.api.verify.ReplayVerifier"}));
        assertTrue(FirmwareService.pluggable(new String[] {"pcm.core.api.verify.ReplayStrategy", "pcm.core.api.tracer.Tracer"}));
        assertFalse(FirmwareService.pluggable(new String[] {"pcm.core.api.verify.ReplayVerifier", "pcm.core.api.cpu.Hypervisor"}));
        assertFalse(FirmwareService.pluggable(new String[] {"pcm.core.api.bus.Device"}));
        assertFalse(FirmwareService.pluggable(new String[0]));
    }

    @Test
    void anUpdateSetIsCheckedWholeAndPutBackWholeWhenOneOfItFails() throws Exception {
        Bundle a = installed("test.a", "1.0.0");
        Bundle b = installed("test.b", "1.0.0");
        FirmwareService fw = service();
        Map<String, byte[]> set = new java.util.LinkedHashMap<>();
        set.put("a.jar", jar("test.a", "2.0.0"));
        set.put("c.jar", jar("test.c", "1.0.0"));
        set.put("b.jar", jar("test.b", "2.0.0", "Import-Package", "no.such.pkg"));
        FirmwareException e = assertThrows(FirmwareException.class, () -> fw.installSet(set));
        assertEquals(FirmwareException.Kind.NOT_RESOLVABLE, e.kind(), e.getMessage());
        assertTrue(e.getMessage().startsWith("b.jar: ") && e.getMessage().contains("the set's earlier changes were put back"), e.getMessage());
        assertEquals("content of 1.0.0", content(a), "test.a put back");
        assertEquals(Bundle.ACTIVE, a.getState());
        assertEquals("content of 1.0.0", content(b));
        assertFalse(List.of(felix.getBundleContext().getBundles()).stream().anyMatch(x -> "test.c".equals(x.getSymbolicName())),
                "test.c, installed new by the set, uninstalled again");
        assertTrue(fw.inventory().stream().noneMatch(i -> !i.active() && i.symbolicName().equals("test.a")), "no previous version left behind");

        set.put("b.jar", jar("test.b", "2.0.0"));
        set.put("again.jar", jar("test.a", "3.0.0"));
        FirmwareException twice = assertThrows(FirmwareException.class, () -> fw.installSet(set));
        assertEquals(FirmwareException.Kind.MALFORMED, twice.kind());
        assertTrue(twice.getMessage().contains("again.jar holds test.a a second time"), twice.getMessage());
        assertEquals("content of 1.0.0", content(a), "checked before anything changed");

        set.remove("again.jar");
        List<FirmwareImage> now = fw.installSet(set);
        assertEquals(List.of("test.a 2.0.0", "test.c 1.0.0", "test.b 2.0.0"), now.stream().map(i -> i.symbolicName() + " " + i.version()).toList());
        assertEquals("content of 2.0.0", content(a));
        assertEquals("content of 2.0.0", content(b));
    }
}
