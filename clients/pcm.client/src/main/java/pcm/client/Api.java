package pcm.client;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Base64;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * The resident PCM's API as the attached shell uses it, over the same authenticated HTTPS port as every client: the
 * administrator's Basic credentials from {@code <data>/secrets/admin.password}, TLS trusting exactly the resident's own
 * certificate {@code <data>/secrets/https.crt} (host name checked; never "trust all"). Used resources: the manager's
 * OEM actions {@code Pcm.Exec} (streamed as server-sent events, or answered whole) and {@code Pcm.Interrupt}, and the
 * guest console {@code /redfish/v1/Oem/Pcm/Console} (its event stream and {@code PcmConsole.Send}).
 */
final class Api {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String EXEC = "/Managers/pcm/Actions/Oem/Pcm.Exec";
    static final String INTERRUPT = "/Managers/pcm/Actions/Oem/Pcm.Interrupt";
    static final String CONSOLE = "/Oem/Pcm/Console";

    private final String base; // .../redfish/v1
    private final String authorization;
    private final HttpClient http;

    Api(String base, String user, String password, HttpClient http) {
        this.base = base.replaceFirst("/+$", "");
        this.authorization = "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
        this.http = http;
    }

    /** The API of the resident PCM on {@code data}: its URL, the administrator's secret and its certificate. */
    static Api of(Path data) throws ApiException {
        Path urlFile = data.resolve("run/api.url");
        Path secret = data.resolve("secrets/admin.password");
        try {
            String url = Files.readString(urlFile).strip();
            String password = Files.readString(secret).strip();
            HttpClient.Builder b = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10));
            if (url.startsWith("https:")) b.sslContext(trusting(data.resolve("secrets/https.crt")));
            return new Api(url, "admin", password, b.build());
        } catch (IOException e) {
            throw new ApiException("cannot read the resident PCM's " + (Files.exists(urlFile) ? secret : urlFile) + ": " + e.getMessage(), e);
        } catch (GeneralSecurityException e) {
            throw new ApiException("cannot trust the resident PCM's certificate " + data.resolve("secrets/https.crt") + ": " + e.getMessage(), e);
        }
    }

    /** TLS that trusts the certificates of that PEM file and nothing else (what curl --cacert does in bin/pcm). */
    static SSLContext trusting(Path pem) throws IOException, GeneralSecurityException {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        try (InputStream in = Files.newInputStream(pem)) {
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) ks.setCertificateEntry("pcm-" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        SSLContext ssl = SSLContext.getInstance("TLS");
        ssl.init(null, tmf.getTrustManagers(), null);
        return ssl;
    }

    String base() {
        return base;
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", authorization);
    }

    private static HttpRequest.BodyPublisher json(ObjectNode body) {
        try {
            return HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Runs the command line with its output streamed: the response's events, read by the caller. */
    Sse execStreamed(String line, String id) throws ApiException {
        ObjectNode body = JSON.createObjectNode().put("Command", line).put("ExecId", id);
        HttpRequest r = request(EXEC).header("Content-Type", "application/json").header("Accept", "text/event-stream")
                .POST(json(body)).build();
        return new Sse(stream(r));
    }

    /** Runs the command line and answers its output once it has ended (completion data: quick commands). */
    JsonNode exec(String line) throws ApiException {
        ObjectNode body = JSON.createObjectNode().put("Command", line);
        HttpRequest r = request(EXEC).header("Content-Type", "application/json").header("Accept", "application/json")
                .timeout(Duration.ofSeconds(30)).POST(json(body)).build();
        return sendJson(r);
    }

    /** Asks PCM to interrupt the command running as {@code id}; false when none does (it has just ended). */
    boolean interrupt(String id) throws ApiException {
        HttpRequest r = request(INTERRUPT).header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                .POST(json(JSON.createObjectNode().put("ExecId", id))).build();
        int status = send(r).statusCode();
        return status == 204;
    }

    /** The guest console's output as server-sent events ({@code console} {@code {"Text"}}). */
    Sse consoleStream() throws ApiException {
        return new Sse(stream(request(CONSOLE + "/SSE").header("Accept", "text/event-stream").GET().build()));
    }

    /** Types {@code text} into the guest's console, exactly (raw keys). */
    void consoleSend(String text) throws ApiException {
        HttpRequest r = request(CONSOLE + "/Actions/PcmConsole.Send").header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(15)).POST(json(JSON.createObjectNode().put("Data", text))).build();
        HttpResponse<byte[]> resp = send(r);
        if (resp.statusCode() != 204) throw refused(resp.statusCode(), resp.body());
    }

    private InputStream stream(HttpRequest r) throws ApiException {
        try {
            HttpResponse<InputStream> resp = http.send(r, HttpResponse.BodyHandlers.ofInputStream());
            if (resp.statusCode() == 200) return resp.body();
            byte[] body;
            try (InputStream in = resp.body()) {
                body = in.readAllBytes();
            }
            throw refused(resp.statusCode(), body);
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException("interrupted");
        }
    }

    private JsonNode sendJson(HttpRequest r) throws ApiException {
        HttpResponse<byte[]> resp = send(r);
        if (resp.statusCode() != 200) throw refused(resp.statusCode(), resp.body());
        try {
            return JSON.readTree(resp.body());
        } catch (IOException e) {
            throw new ApiException("the resident PCM answered something that is not JSON: " + e.getMessage(), e);
        }
    }

    private HttpResponse<byte[]> send(HttpRequest r) throws ApiException {
        try {
            return http.send(r, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw unreachable(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException("interrupted");
        }
    }

    private ApiException unreachable(IOException e) {
        String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return new ApiException("the resident PCM at " + base + " does not answer: " + why, e);
    }

    /** The HTTP status and the Redfish error message of a refused request. */
    static ApiException refused(int status, byte[] body) {
        String message = null;
        try {
            JsonNode n = JSON.readTree(body);
            if (n != null && n.path("error").path("message").isTextual()) message = n.path("error").path("message").asText();
        } catch (IOException notJson) {
            // the status alone
        }
        return new ApiException("the resident PCM refused the request: HTTP " + status + (message == null ? "" : ": " + message));
    }
}
