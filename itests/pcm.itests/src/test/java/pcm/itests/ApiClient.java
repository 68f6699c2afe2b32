package pcm.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The integration tests' client of a resident PCM's HTTP API (Redfish and the console): its base URL and the
 * administrator's credentials, requests with any credentials (or none) and headers, and GETs that must answer JSON.
 */
record ApiClient(String base, String admin) {

    static final HttpClient HTTP = HttpClient.newHttpClient();
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
