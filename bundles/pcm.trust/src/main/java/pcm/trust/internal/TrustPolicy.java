package pcm.trust.internal;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Date;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ManagedService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.trust.api.BundleTrust;
import pcm.trust.api.Signer;
import pcm.trust.api.UntrustedBundleException;
import pcm.trust.api.UntrustedBundleException.Reason;

/**
 * The {@link BundleTrust} service (PID {@code pcm.trust}, metatype {@link TrustConfig}). Not a DS component: FileInstall
 * scans {@code deploy/} for the first time on the framework's start-level thread, before SCR has started, so the policy
 * must answer then, without waiting for anything to start. It reads its configuration from Config Admin (which starts
 * before FileInstall) at each check, and the trust store from disk, so a change counts from the next jar on. It is a
 * {@link ManagedService} too, so pcm.config checks the configuration against the metatype when it is delivered and a
 * change is logged.
 */
final class TrustPolicy implements BundleTrust, ManagedService {

    static final String PID = "pcm.trust";
    /** Run property of a variant: signed bundles required whatever the configuration says (the OEM variant sets it). */
    static final String REQUIRE_PROPERTY = "pcm.trust.requireSigned";
    /** Run property: the trust store when the configuration names none. */
    static final String STORE_PROPERTY = "pcm.trust.store";
    private static final Logger LOG = LoggerFactory.getLogger(TrustPolicy.class);

    /** What the policy is at one moment. */
    record Settings(boolean requireSigned, String trustStore, String trustStoreType, String trustStorePassword, String file) {

        static final Settings DEFAULTS = new Settings(false, "", "PKCS12", "", null);

        static Settings of(Dictionary<String, ?> p) {
            if (p == null) return DEFAULTS;
            Object file = p.get("felix.fileinstall.filename");
            return new Settings(Boolean.parseBoolean(text(p.get("requireSigned"), "false")), text(p.get("trustStore"), ""),
                    text(p.get("trustStoreType"), "PKCS12"), text(p.get("trustStorePassword"), ""), file == null ? null : file.toString());
        }

        private static String text(Object v, String dflt) {
            return v == null ? dflt : v.toString().strip();
        }
    }

    private final BundleContext context;
    /** The jars whose last check refused them, by name. */
    private final Map<String, UntrustedBundleException> refused = new ConcurrentHashMap<>();

    TrustPolicy(BundleContext context) {
        this.context = context;
    }

    @Override
    public void updated(Dictionary<String, ?> properties) {
        Settings s = Settings.of(properties);
        LOG.info("bundle trust: signed bundles {} (trust store {})", required(s) ? "required" : "not required", store(s));
    }

    /** The configuration Config Admin holds now (defaults without one, or without Config Admin). */
    Settings settings() {
        ServiceReference<ConfigurationAdmin> ref = context.getServiceReference(ConfigurationAdmin.class);
        ConfigurationAdmin cm = ref == null ? null : context.getService(ref);
        if (cm == null) return Settings.DEFAULTS;
        try {
            Configuration[] cs = cm.listConfigurations("(service.pid=" + PID + ")");
            return cs == null || cs.length == 0 ? Settings.DEFAULTS : Settings.of(cs[0].getProperties());
        } catch (IOException | org.osgi.framework.InvalidSyntaxException | IllegalStateException e) {
            LOG.warn("bundle trust: cannot read the pcm.trust configuration ({}); its defaults apply", e.toString());
            return Settings.DEFAULTS;
        } finally {
            context.ungetService(ref);
        }
    }

    @Override
    public boolean required() {
        return required(settings());
    }

    private boolean required(Settings s) {
        return Boolean.parseBoolean(context.getProperty(REQUIRE_PROPERTY)) || s.requireSigned();
    }

    Path store(Settings s) {
        String f = s.trustStore();
        if (f.isBlank()) f = context.getProperty(STORE_PROPERTY);
        if (f != null && !f.isBlank()) return Path.of(f);
        String data = context.getProperty("pcm.data");
        return Path.of(data == null ? "pcm-data" : data, "trust", "truststore.p12");
    }

    @Override
    public Optional<UntrustedBundleException> refusal(String name) {
        return Optional.ofNullable(refused.get(name));
    }

    @Override
    public Optional<Signer> check(String name, byte[] jar) throws UntrustedBundleException {
        try {
            Optional<Signer> s = checkNow(name, jar);
            refused.remove(name);
            return s;
        } catch (UntrustedBundleException e) {
            refused.put(name, e);
            throw e;
        }
    }

    private Optional<Signer> checkNow(String name, byte[] jar) throws UntrustedBundleException {
        Settings s = settings();
        String pending = pendingConfFile(s);
        if (pending != null)
            throw new UntrustedBundleException(name, Reason.NO_TRUST_STORE, "the signing policy in " + pending + " is not applied yet"
                    + " (FileInstall must read conf/ before deploy/: felix.fileinstall.dir lists conf first, as bin/pcm does)");
        if (!required(s)) return Optional.empty();
        String pw = s.trustStorePassword();
        List<X509Certificate> anchors = TrustStore.load(name, store(s), s.trustStoreType(), pw.isEmpty() ? null : pw.toCharArray());
        Path tmp = null;
        try {
            tmp = Files.createTempFile("pcm-trust-", ".jar");
            Files.write(tmp, jar);
            Signer signer = new JarSignatureVerifier(anchors, new Date()).verify(name, tmp);
            LOG.info("bundle trust: {} signed by {} (trusted through {})", name, signer.subject(), signer.anchor());
            return Optional.of(signer);
        } catch (IOException e) {
            throw new UntrustedBundleException(name, Reason.MALFORMED, "cannot be checked: " + e, e);
        } finally {
            if (tmp != null) tmp.toFile().delete();
        }
    }

    /** A {@code pcm.trust} file in a FileInstall directory that Config Admin does not hold yet: the policy is not known. */
    private String pendingConfFile(Settings s) {
        String dirs = context.getProperty("felix.fileinstall.dir");
        if (dirs == null) return null;
        for (String d : dirs.split(",")) {
            for (String n : new String[] {PID + ".cfg", PID + ".config"}) {
                File f = new File(d.trim(), n);
                if (f.isFile() && (s.file() == null || !s.file().endsWith("/" + n))) return f.toString();
            }
        }
        return null;
    }
}
