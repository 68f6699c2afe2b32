package pcm.ui.internal.remote;

import java.io.IOException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

/** What the API servlets of this package share: a JSON request body read, a JSON reply written uncached. */
final class JsonReplies {

    static final ObjectMapper JSON = new ObjectMapper();

    private JsonReplies() {}

    /**
     * The request's JSON body (a missing node when there is none); null only after answering 400
     * (Base.1.0.MalformedJSON) through {@code error}.
     */
    static JsonNode body(HttpServletRequest request, ErrorReply error) throws IOException {
        try {
            JsonNode n = JSON.readTree(request.getInputStream());
            return n == null ? com.fasterxml.jackson.databind.node.MissingNode.getInstance() : n;
        } catch (IOException e) {
            error.send(400, "Base.1.0.MalformedJSON", "the body is not JSON");
            return null;
        }
    }

    static void write(HttpServletResponse response, int status, ObjectNode body) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json;charset=utf-8");
        response.setHeader("Cache-Control", "no-store");
        response.getOutputStream().write(JSON.writeValueAsBytes(body));
    }

    interface ErrorReply {
        void send(int status, String id, String message) throws IOException;
    }
}
