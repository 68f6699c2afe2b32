package pcm.redfish.internal;

import java.io.IOException;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** JSON in and out of the API, with Jackson; Redfish error bodies. */
public final class Json {

    public static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private Json() {}

    public static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    public static void write(HttpServletResponse response, int status, JsonNode body) throws IOException {
        response.setStatus(status);
        response.setContentType("application/json;charset=utf-8");
        response.setHeader("OData-Version", "4.0");
        response.setHeader("Cache-Control", "no-store");
        response.getOutputStream().write(MAPPER.writeValueAsBytes(body));
    }

    /** A Redfish error response ({@code error.code}, {@code error.message}, {@code @Message.ExtendedInfo}). */
    public static void error(HttpServletResponse response, int status, String messageId, String message) throws IOException {
        ObjectNode body = object();
        ObjectNode error = body.putObject("error");
        error.put("code", messageId);
        error.put("message", message);
        ObjectNode info = error.putArray("@Message.ExtendedInfo").addObject();
        info.put("@odata.type", "#Message.v1_1_2.Message");
        info.put("MessageId", messageId);
        info.put("Message", message);
        info.put("Severity", status >= 500 ? "Critical" : "Warning");
        write(response, status, body);
    }

    /** The request body as a JSON object; null after writing a 400 when it is not one. */
    public static ObjectNode body(HttpServletRequest request, HttpServletResponse response) throws IOException {
        try {
            JsonNode n = MAPPER.readTree(request.getInputStream());
            if (n instanceof ObjectNode o) return o;
        } catch (JsonProcessingException e) {
            error(response, 400, "Base.1.0.MalformedJSON", "the body is not JSON: " + e.getOriginalMessage());
            return null;
        }
        error(response, 400, "Base.1.0.MalformedJSON", "the body must be a JSON object");
        return null;
    }
}
