package pcm.trust.internal;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.trust.api.BundleTrust;
import pcm.trust.api.Signer;
import pcm.trust.api.UntrustedBundleException;
import pcm.trust.api.UntrustedBundleException.Reason;

/**
 * The {@link BundleTrust} service (PID {@code pcm.trust}). The trust store is read at every check, so a store replaced
 * on disk counts from the next jar on.
 */
@Component(service = BundleTrust.class, configurationPid = TrustService.PID, immediate = true)
@Designate(ocd = TrustConfig.class)
public final class TrustService implements BundleTrust {

    static final String PID = "pcm.trust";
    /** Run property of a variant: signed bundles required whatever the configuration says (the OEM variant sets it). */
    static final String REQUIRE_PROPERTY = "pcm.trust.requireSigned";
    /** Run property: the trust store when the configuration names none. */
    static final String STORE_PROPERTY = "pcm.trust.store";
    private static final Logger LOG = LoggerFactory.getLogger(TrustService.class);

    private final BundleContext context;
    private volatile TrustConfig config;
    private volatile String configFile;

    @Activate
    public TrustService(BundleContext context, TrustConfig config, Map<String, Object> properties) {
        this.context = context;
        modified(config, properties);
    }

    @Modified
    void modified(TrustConfig config, Map<String, Object> properties) {
        this.config = config;
        Object f = properties.get("felix.fileinstall.filename");
        this.configFile = f == null ? null : f.toString();
        LOG.info("bundle trust: signed bundles {} (trust store {})", required() ? "required" : "not required", store());
    }

    @Override
    public boolean required() {
        return Boolean.parseBoolean(context.getProperty(REQUIRE_PROPERTY)) || config.requireSigned();
    }

    Path store() {
        String s = config.trustStore();
        if (s == null || s.isBlank()) s = context.getProperty(STORE_PROPERTY);
        if (s != null && !s.isBlank()) return Path.of(s);
        String data = context.getProperty("pcm.data");
        return Path.of(data == null ? "pcm-data" : data, "trust", "truststore.p12");
    }

    @Override
    public Optional<Signer> check(String name, byte[] jar) throws UntrustedBundleException {
        awaitConfFile(name);
        if (!required()) return Optional.empty();
        TrustConfig c = config;
        String pw = c.trustStorePassword();
        List<X509Certificate> anchors = TrustStore.load(name, store(), c.trustStoreType(), pw == null || pw.isEmpty() ? null : pw.toCharArray());
        Path tmp = null;
        try {
            tmp = Files.createTempFile("pcm-trust-", ".jar");
            Files.write(tmp, jar);
            Signer s = new JarSignatureVerifier(anchors, new Date()).verify(name, tmp);
            LOG.info("bundle trust: {} signed by {} (trusted through {})", name, s.subject(), s.anchor());
            return Optional.of(s);
        } catch (IOException e) {
            throw new UntrustedBundleException(name, Reason.MALFORMED, "cannot be checked: " + e, e);
        } finally {
            if (tmp != null) tmp.toFile().delete();
        }
    }

    /**
     * FileInstall applies conf/ while it installs deploy/, on threads of its own: a drop-in found at start waits until a
     * {@code pcm.trust} file in conf/ has reached this component, so it is checked under the operator's policy.
     */
    private void awaitConfFile(String name) throws UntrustedBundleException {
        long deadline = System.nanoTime() + config.waitSeconds() * 1_000_000_000L;
        while (true) {
            String pending = pendingConfFile();
            if (pending == null) return;
            if (System.nanoTime() > deadline)
                throw new UntrustedBundleException(name, Reason.NO_TRUST_STORE, "the signing policy in " + pending
                        + " has not been applied within " + config.waitSeconds() + " s (pcm.trust waitSeconds)");
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new UntrustedBundleException(name, Reason.NO_TRUST_STORE, "interrupted while waiting for the signing policy", e);
            }
        }
    }

    private String pendingConfFile() {
        String dirs = context.getProperty("felix.fileinstall.dir");
        if (dirs == null) return null;
        for (String d : dirs.split(",")) {
            for (String n : new String[] {PID + ".cfg", PID + ".config"}) {
                File f = new File(d.trim(), n);
                if (!f.isFile()) continue;
                String applied = configFile;
                if (applied == null || !applied.endsWith("/" + n)) return f.toString();
            }
        }
        return null;
    }
}
