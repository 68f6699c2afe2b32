package pcm.trust.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Hashtable;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.BundleContext;

import pcm.trust.api.UntrustedBundleException;
import pcm.trust.api.UntrustedBundleException.Reason;

/** The policy around the verifier: where "required" comes from, where the trust store is, refusals remembered. */
class TrustPolicyTest {

    @TempDir
    Path dir;
    final Map<String, String> properties = new HashMap<>();

    /** A bundle context with framework properties and no Config Admin (so the configuration's defaults apply). */
    TrustPolicy policy() {
        BundleContext context = (BundleContext) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {BundleContext.class},
                (p, m, a) -> m.getName().equals("getProperty") ? properties.get((String) a[0]) : null);
        return new TrustPolicy(context);
    }

    @Test
    void offByDefaultAndThenTheJarIsNotLookedAt() throws Exception {
        properties.put("pcm.data", dir.toString());
        TrustPolicy p = policy();
        assertFalse(p.required());
        assertTrue(p.check("junk.jar", "not even a jar".getBytes()).isEmpty());
        assertTrue(p.refusal("junk.jar").isEmpty());
    }

    @Test
    void theVariantsRunPropertyRequiresSignaturesAndTheDataDirectoryHoldsTheDefaultTrustStore() {
        properties.put("pcm.data", dir.toString());
        properties.put(TrustPolicy.REQUIRE_PROPERTY, "true");
        TrustPolicy p = policy();
        assertTrue(p.required());
        UntrustedBundleException e = assertThrows(UntrustedBundleException.class, () -> p.check("a.jar", new byte[] {1}));
        assertEquals(Reason.NO_TRUST_STORE, e.reason());
        assertTrue(e.getMessage().contains("no trust store " + dir.resolve("trust/truststore.p12")), e.getMessage());
        assertEquals(e, p.refusal("a.jar").orElseThrow(), "remembered, so nobody waits for it to be installed");
    }

    @Test
    void theInstallationsTrustStoreIsTheDefaultWhenNamed() {
        properties.put(TrustPolicy.REQUIRE_PROPERTY, "true");
        properties.put(TrustPolicy.STORE_PROPERTY, dir.resolve("etc/truststore.p12").toString());
        UntrustedBundleException e = assertThrows(UntrustedBundleException.class, () -> policy().check("a.jar", new byte[] {1}));
        assertTrue(e.getMessage().contains(dir.resolve("etc/truststore.p12").toString()), e.getMessage());
    }

    @Test
    void aPolicyFileNotAppliedYetRefusesRatherThanTakingTheJarUnchecked() throws Exception {
        Path conf = Files.createDirectories(dir.resolve("conf"));
        Files.writeString(conf.resolve("pcm.trust.cfg"), "requireSigned=true\n");
        properties.put("felix.fileinstall.dir", dir.resolve("deploy") + "," + conf);
        UntrustedBundleException e = assertThrows(UntrustedBundleException.class, () -> policy().check("a.jar", new byte[] {1}));
        assertEquals(Reason.NO_TRUST_STORE, e.reason());
        assertTrue(e.getMessage().contains(conf.resolve("pcm.trust.cfg") + " is not applied yet"), e.getMessage());
    }

    @Test
    void settingsAreReadAsConfigAdminHoldsThem() {
        Hashtable<String, Object> typed = new Hashtable<>();
        typed.put("requireSigned", Boolean.TRUE);
        typed.put("trustStore", "/x/ts.jks");
        typed.put("trustStoreType", "JKS");
        typed.put("felix.fileinstall.filename", "file:/srv/pcm/conf/pcm.trust.config");
        TrustPolicy.Settings s = TrustPolicy.Settings.of(typed);
        assertEquals(new TrustPolicy.Settings(true, "/x/ts.jks", "JKS", "", "file:/srv/pcm/conf/pcm.trust.config"), s);
        Hashtable<String, Object> text = new Hashtable<>();
        text.put("requireSigned", "true"); // a .cfg file's value
        assertTrue(TrustPolicy.Settings.of(text).requireSigned());
        assertEquals(TrustPolicy.Settings.DEFAULTS, TrustPolicy.Settings.of(null));
    }
}
