package pcm.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The integration tests' client of a resident PCM's HTTP API (Redfish and the console): its base URL and the
 * administrator's credentials, requests with any credentials (or none) and headers, and GETs that must answer JSON.
 */
record ApiClient(String base, String admin) {

    /**
     * Trusts exactly the certificates of the resident PCMs the tests started ({@link #trust}, from each one's
     * secrets/https.crt), with the JDK's full checks (chain, validity, host name against the subject alternative names):
     * what curl --cacert does for bin/pcm. Never a trust-all client.
     */
    static final HttpClient HTTP = HttpClient.newBuilder().sslContext(ResidentTrust.context()).build();

    /** From now on, {@link #HTTP} trusts the server certificate in this PEM file. */
    static void trust(Path pem) throws IOException {
        try (InputStream in = Files.newInputStream(pem)) {
            ResidentTrust.add((X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in));
        } catch (CertificateException e) {
            throw new IOException(pem + ": not a PEM certificate", e);
        }
    }

    /** A trust manager over a set that grows as residents start (one SSLContext for the static client). */
    static final class ResidentTrust extends X509ExtendedTrustManager {
        private static final Set<X509Certificate> TRUSTED = ConcurrentHashMap.newKeySet();
        private static volatile X509ExtendedTrustManager delegate;

        static SSLContext context() {
            try {
                SSLContext c = SSLContext.getInstance("TLS");
                c.init(null, new javax.net.ssl.TrustManager[] { new ResidentTrust() }, null);
                return c;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
        }

        static synchronized void add(X509Certificate c) {
            if (!TRUSTED.add(c)) return;
            try {
                KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
                ks.load(null, null);
                int i = 0;
                for (X509Certificate t : TRUSTED) ks.setCertificateEntry("resident-" + i++, t);
                TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                f.init(ks);
                for (var tm : f.getTrustManagers()) if (tm instanceof X509ExtendedTrustManager x) delegate = x;
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException(e);
            }
        }

        private static X509ExtendedTrustManager delegate() throws CertificateException {
            X509ExtendedTrustManager d = delegate;
            if (d == null) throw new CertificateException("no resident PCM's certificate is trusted yet (ApiClient.trust)");
            return d;
        }

        @Override public void checkServerTrusted(X509Certificate[] chain, String auth, SSLEngine engine) throws CertificateException {
            delegate().checkServerTrusted(chain, auth, engine);
        }
        @Override public void checkServerTrusted(X509Certificate[] chain, String auth, Socket socket) throws CertificateException {
            delegate().checkServerTrusted(chain, auth, socket);
        }
        @Override public void checkServerTrusted(X509Certificate[] chain, String auth) throws CertificateException {
            delegate().checkServerTrusted(chain, auth);
        }
        @Override public void checkClientTrusted(X509Certificate[] chain, String auth, SSLEngine engine) throws CertificateException {
            throw new CertificateException("a client only");
        }
        @Override public void checkClientTrusted(X509Certificate[] chain, String auth, Socket socket) throws CertificateException {
            throw new CertificateException("a client only");
        }
        @Override public void checkClientTrusted(X509Certificate[] chain, String auth) throws CertificateException {
            throw new CertificateException("a client only");
        }
        @Override public X509Certificate[] getAcceptedIssuers() {
            return TRUSTED.toArray(X509Certificate[]::new);
        }
    }
    static final ObjectMapper JSON = new ObjectMapper();

    /** The API of a started resident PCM, as its administrator. */
    static ApiClient of(Resident pcm) throws Exception {
        String url = pcm.url();
        return new ApiClient(url.substring(0, url.indexOf("/redfish")), basic("admin", pcm.adminPassword()));
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    /** A request; {@code authorization} null sends none, {@code body} null sends none. */
    HttpResponse<String> send(String method, String path, String authorization, byte[] body, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(120));
        if (authorization != null) b.header("Authorization", authorization);
        headers.forEach(b::header);
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> send(String method, String path, String authorization, String body, Map<String, String> headers)
            throws Exception {
        return send(method, path, authorization, body == null ? null : body.getBytes(StandardCharsets.UTF_8), headers);
    }

    /** A GET as the administrator that must answer 200 with JSON. */
    JsonNode get(String path) throws Exception {
        HttpResponse<String> r = send("GET", path, admin, (byte[]) null, Map.of());
        assertEquals(200, r.statusCode(), path + ": " + r.body());
        assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith("application/json"), path);
        return JSON.readTree(r.body());
    }
}
