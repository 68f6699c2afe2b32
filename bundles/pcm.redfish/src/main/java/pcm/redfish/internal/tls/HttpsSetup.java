package pcm.redfish.internal.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Dictionary;
import java.util.Enumeration;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.BundleContext;
import org.osgi.framework.Constants;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.cm.ConfigurationEvent;
import org.osgi.service.cm.ConfigurationListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the resident PCM's HTTP server (Felix HTTP Jetty 12) serve HTTPS only, with PCM's generated certificate or
 * the operator's keystore (issue 16 item 6, docs/operating.md "HTTPS").
 * <p>
 * How it stays safe: {@code bin/pcm start} starts Jetty with {@code org.apache.felix.http.require.config=true} (no
 * server until a configuration of PID {@code org.apache.felix.http} arrives) and the framework defaults
 * {@code org.apache.felix.http.enable=false}, {@code org.apache.felix.https.enable=true} (so a configuration without
 * our settings — the operator's conf/org.apache.felix.http.cfg, re-read by FileInstall — serves nothing rather than
 * plain HTTP). This component checks the keystore, then merges its settings into that configuration, keeping the
 * operator's (host, timeouts, ...); whenever someone else updates the configuration it merges them again. A keystore
 * that does not open is an error in the log and in {@value #ERROR_FILE} (bin/pcm start prints it and stops), and
 * Jetty is told to serve nothing: never a fall back to plain HTTP.
 * <p>
 * Only in the resident PCM ({@code pcm.resident=true}): other runs have no HTTP server, and in-framework tests
 * configure Jetty themselves.
 */
@Component(immediate = true, service = { HttpsSetup.class, ConfigurationListener.class }, configurationPid = HttpsConfig.PID)
@Designate(ocd = HttpsConfig.class)
public class HttpsSetup implements ConfigurationListener {

    public static final String JETTY_PID = "org.apache.felix.http";
    public static final String ERROR_FILE = "run/https.error";
    /** The PEM of the served certificate, rewritten at every start: for curl --cacert, a browser's import. */
    public static final String PEM_FILE = "secrets/https.crt";

    static final String HTTP_ENABLE = "org.apache.felix.http.enable";
    static final String HTTPS_ENABLE = "org.apache.felix.https.enable";
    static final String HTTP_PORT = "org.osgi.service.http.port";
    static final String HTTPS_PORT = "org.osgi.service.http.port.secure";
    static final String KEYSTORE = "org.apache.felix.https.keystore";
    static final String KEYSTORE_PASSWORD = "org.apache.felix.https.keystore.password";
    static final String KEY_PASSWORD = "org.apache.felix.https.keystore.key.password";
    static final String KEYSTORE_TYPE = "org.apache.felix.https.keystore.type";
    static final String COOKIE_SECURE = "org.apache.felix.https.jetty.session.cookie.secure";
    /**
     * The served certificate's SHA-256. Jetty ignores it, but Felix HTTP restarts Jetty whenever its configuration
     * changes (JettyService.updated compares the whole dictionary) and this is what changes when ReplaceCertificate
     * rewrote the keystore in place (same file, same password): the way to make Jetty load the new certificate.
     */
    static final String CERTIFICATE_SHA256 = "pcm.https.certificate.sha256";
    /** Every key this component decides; the rest of the configuration is the operator's. */
    static final Set<String> MANAGED = Set.of(HTTP_ENABLE, HTTPS_ENABLE, HTTPS_PORT, KEYSTORE, KEYSTORE_PASSWORD, KEY_PASSWORD,
            KEYSTORE_TYPE, COOKIE_SECURE, CERTIFICATE_SHA256);
    /** How long after ReplaceCertificate's answer Jetty is restarted: the answer must reach the client first. */
    static final long RELOAD_DELAY_MILLIS = 500;
    /**
     * Names {@link #MANAGED} in the configuration, so that pcm.config never writes them into a conf/ file (a settings
     * change of this PID) nor exports them: they are re-made at every start; a file holding them would carry the
     * keystore password and turn HTTPS on in the one-shot runs, which serve nothing (pcm.config's SettingsFile).
     */
    static final String MANAGED_KEYS = "pcm.managed.keys";

    private static final Logger LOG = LoggerFactory.getLogger(HttpsSetup.class);

    /** What the server serves: for the Redfish NetworkProtocol resource and the logs. */
    public record State(boolean managed, boolean https, Optional<ServerCertificate> certificate, Optional<String> error) {}

    private final BundleContext context;
    private final ConfigurationAdmin cm;
    private final Path data;
    private volatile State state = new State(false, false, Optional.empty(), Optional.empty());
    /** Our settings for Jetty (without the port, which follows the operator's); null while not managing. */
    private volatile Map<String, Object> settings;
    private volatile HttpsConfig config;
    /**
     * The port Jetty bound when it was configured as 0 (bin/pcm start --port 0), set by a reload: a restarted Jetty
     * would otherwise bind another free port, and every client would lose the API.
     */
    private volatile int boundPort;

    @Activate
    public HttpsSetup(BundleContext context, @Reference ConfigurationAdmin cm, HttpsConfig config) {
        this.context = context;
        this.cm = cm;
        String d = context.getProperty("pcm.data");
        this.data = d == null ? null : Path.of(d);
        configure(config);
    }

    @Modified
    void modified(HttpsConfig config) {
        configure(config);
    }

    public State state() {
        return state;
    }

    private void configure(HttpsConfig config) {
        this.config = config;
        if (!"true".equals(context.getProperty("pcm.resident")) || data == null) return;
        deleteQuietly(data.resolve(ERROR_FILE));
        if (!config.enabled()) {
            LOG.warn("HTTPS is off (pcm.https enabled=false): the API and the web console are plain HTTP, for development on loopback only");
            settings = Map.of(HTTP_ENABLE, true, HTTPS_ENABLE, false);
            state = new State(true, false, Optional.empty(), Optional.empty());
        } else {
            try {
                ServerCertificate cert = config.keystore().isBlank() ? ownCertificate(config) : operatorCertificate(config);
                serve(cert);
                LOG.info("HTTPS with {} (certificate {}, SHA-256 {}), its PEM in {}", cert.keystore(),
                        cert.certificate().getSubjectX500Principal(), cert.sha256Fingerprint(), data.resolve(PEM_FILE));
            } catch (HttpsKeystoreException e) {
                LOG.error("HTTPS cannot start, so the API and the web console are not served: {}", e.getMessage());
                writeError(e.getMessage());
                settings = Map.of(HTTP_ENABLE, false, HTTPS_ENABLE, false);
                state = new State(true, false, Optional.empty(), Optional.of(e.getMessage()));
            }
        }
        applyToJetty();
    }

    /** Writes the PEM and makes {@code cert} what Jetty is told to serve (at the next {@link #applyToJetty}). */
    private void serve(ServerCertificate cert) throws HttpsKeystoreException {
        writePem(cert);
        settings = Map.of(HTTP_ENABLE, false, HTTPS_ENABLE, true, KEYSTORE, cert.keystore().toString(),
                KEYSTORE_PASSWORD, cert.password(), KEY_PASSWORD, cert.password(), KEYSTORE_TYPE, cert.type(), COOKIE_SECURE, true,
                CERTIFICATE_SHA256, cert.sha256Fingerprint());
        state = new State(true, true, Optional.of(cert), Optional.empty());
    }

    /**
     * Why PCM's own keystore may not be replaced through the API now (HTTPS off, an operator's keystore configured,
     * HTTPS failed, not a resident PCM); empty when it may.
     */
    public Optional<String> replaceRefusal() {
        HttpsConfig c = config;
        State s = state;
        if (data == null || !s.managed()) return Optional.of("not a resident PCM with HTTPS (bin/pcm start)");
        if (c == null || !c.enabled()) return Optional.of("HTTPS is off (pcm.https enabled=false): there is no certificate to replace");
        if (!c.keystore().isBlank())
            return Optional.of("the served certificate comes from the operator's keystore " + data.resolve(c.keystore().strip())
                    + " (pcm.https keystore): replace it there, or clear that setting to let PCM manage its own");
        if (s.error().isPresent()) return Optional.of("HTTPS did not start: " + s.error().get());
        return Optional.empty();
    }

    /** The data directory: where PCM's own keystore and a pending CSR live. */
    public Path dataDirectory() {
        return data;
    }

    /**
     * Serves the certificate now in PCM's own keystore (ReplaceCertificate rewrote it): the Redfish resources and
     * secrets/https.crt at once, Jetty {@value #RELOAD_DELAY_MILLIS} ms later — Felix HTTP then restarts Jetty in this
     * JVM (its connections are closed; the guest, the sampler and every other service keep running).
     *
     * @param port the port the request came in on: kept by the restarted Jetty when the configured one is 0
     */
    public void reload(ServerCertificate cert, int port) throws HttpsKeystoreException {
        boundPort = port;
        serve(cert);
        LOG.info("HTTPS certificate replaced: {} (SHA-256 {}); the HTTP server restarts with it", cert.certificate().getSubjectX500Principal(),
                cert.sha256Fingerprint());
        CompletableFuture.runAsync(this::applyToJetty, CompletableFuture.delayedExecutor(RELOAD_DELAY_MILLIS, TimeUnit.MILLISECONDS));
    }

    /** PCM's generated certificate: made when its keystore or password file is missing (the renewal: delete them). */
    private ServerCertificate ownCertificate(HttpsConfig config) throws HttpsKeystoreException {
        Path keystore = data.resolve(SelfSignedKeystore.KEYSTORE);
        Path password = data.resolve(SelfSignedKeystore.PASSWORD);
        if (!Files.exists(keystore) || !Files.exists(password)) {
            List<String> hosts = new ArrayList<>();
            String bound = jettyHost();
            if (bound != null) hosts.add(bound);
            hosts.addAll(List.of(config.hostNames()));
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            long t0 = System.nanoTime();
            SelfSignedKeystore.generate(data, hosts, config.validityDays(), keytool);
            LOG.info("generated a self-signed HTTPS certificate in {} ms: {}", (System.nanoTime() - t0) / 1_000_000, keystore);
        }
        return ServerCertificate.load(keystore, "PKCS12", SelfSignedKeystore.readPassword(password, keystore));
    }

    private ServerCertificate operatorCertificate(HttpsConfig config) throws HttpsKeystoreException {
        Path keystore = data.resolve(config.keystore().strip());
        if (config.keystorePasswordFile().isBlank())
            throw new HttpsKeystoreException(keystore, "pcm.https keystore is set but keystorePasswordFile is not");
        Path password = data.resolve(config.keystorePasswordFile().strip());
        return ServerCertificate.load(keystore, config.keystoreType().strip(), SelfSignedKeystore.readPassword(password, keystore));
    }

    /** The address Jetty binds (the operator's configuration, else the runtime's default): named in the certificate. */
    private String jettyHost() {
        try {
            Configuration[] c = cm.listConfigurations("(" + Constants.SERVICE_PID + "=" + JETTY_PID + ")");
            Object host = c == null || c[0].getProperties() == null ? null : c[0].getProperties().get("org.apache.felix.http.host");
            return host != null ? host.toString() : context.getProperty("org.apache.felix.http.host");
        } catch (IOException | org.osgi.framework.InvalidSyntaxException e) {
            return context.getProperty("org.apache.felix.http.host");
        }
    }

    @Override
    public void configurationEvent(ConfigurationEvent event) {
        // someone else (FileInstall re-reading conf/org.apache.felix.http.cfg) replaced Jetty's configuration: merge again
        if (event.getType() == ConfigurationEvent.CM_UPDATED && JETTY_PID.equals(event.getPid()) && event.getFactoryPid() == null)
            applyToJetty();
    }

    /** Merges our settings into Jetty's configuration; the API's one port serves HTTPS when HTTPS is on. */
    private synchronized void applyToJetty() {
        Map<String, Object> ours = settings;
        if (ours == null) return;
        try {
            Configuration conf = cm.getConfiguration(JETTY_PID, "?");
            Dictionary<String, Object> old = conf.getProperties();
            Hashtable<String, Object> merged = new Hashtable<>();
            if (old != null) {
                for (Enumeration<String> keys = old.keys(); keys.hasMoreElements();) {
                    String k = keys.nextElement();
                    if (!MANAGED.contains(k) && !MANAGED_KEYS.equals(k) && !Constants.SERVICE_PID.equals(k)) merged.put(k, old.get(k));
                }
            }
            merged.putAll(ours);
            merged.put(MANAGED_KEYS, MANAGED.stream().sorted().toArray(String[]::new));
            if (Boolean.TRUE.equals(ours.get(HTTPS_ENABLE))) {
                Object port = merged.get(HTTP_PORT);
                if (port == null) port = context.getProperty(HTTP_PORT);
                String p = port == null ? "8181" : port.toString();
                if ("0".equals(p.strip()) && boundPort > 0) p = Integer.toString(boundPort);
                merged.put(HTTPS_PORT, p);
            }
            conf.updateIfDifferent(merged);
        } catch (IOException e) {
            LOG.error("cannot configure the HTTP server ({}): {}", JETTY_PID, e.toString());
        }
    }

    private void writePem(ServerCertificate cert) throws HttpsKeystoreException {
        Path pem = data.resolve(PEM_FILE);
        try {
            Path tmp = pem.resolveSibling(pem.getFileName() + ".tmp");
            Files.writeString(tmp, cert.pem(), StandardCharsets.US_ASCII);
            Files.move(tmp, pem, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new HttpsKeystoreException(pem, "cannot write the server certificate: " + e, e);
        }
    }

    private void writeError(String message) {
        try {
            Path f = data.resolve(ERROR_FILE);
            Files.createDirectories(f.getParent());
            Files.writeString(f, message + "\n", StandardCharsets.UTF_8);
        } catch (IOException e) {
            LOG.warn("cannot write {}: {}", ERROR_FILE, e.toString());
        }
    }

    private static void deleteQuietly(Path f) {
        try {
            Files.deleteIfExists(f);
        } catch (IOException ignored) {
            // a stale error file is rewritten or removed at the next start
        }
    }
}
