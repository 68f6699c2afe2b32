package pcm.redfish.internal.resources;

import java.time.Instant;

import com.fasterxml.jackson.databind.node.ObjectNode;

import pcm.redfish.internal.Json;

/** {@code EventService}: where the live events are (server-sent events), and the Event they carry. */
public final class EventResources {

    public static final String SERVICE = Odata.ROOT + "/EventService";
    public static final String SSE = SERVICE + "/SSE";

    private EventResources() {}

    public static ObjectNode service() {
        ObjectNode n = Odata.resource("EventService", Odata.EVENT_SERVICE, SERVICE, "Event Service");
        n.put("ServiceEnabled", true);
        n.put("ServerSentEventUri", SSE);
        n.set("Status", Odata.status("Enabled", "OK"));
        var kinds = n.putArray("RegistryPrefixes");
        kinds.add("Pcm");
        return n;
    }

    /** A Redfish Event with one record (its Id is set by the stream). */
    public static ObjectNode event(String messageId, String severity, String message, String origin, Instant when) {
        ObjectNode n = Json.object();
        n.put("@odata.type", Odata.EVENT);
        n.put("Name", "PCM event");
        ObjectNode r = n.putArray("Events").addObject();
        r.put("EventId", messageId + "@" + when.toEpochMilli());
        r.put("EventTimestamp", when.toString());
        r.put("MessageId", messageId);
        r.put("Message", message);
        r.put("MessageSeverity", severity);
        r.set("OriginOfCondition", Odata.link(origin));
        return n;
    }
}
