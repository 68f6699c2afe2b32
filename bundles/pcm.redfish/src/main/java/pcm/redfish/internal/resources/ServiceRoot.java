package pcm.redfish.internal.resources;

import com.fasterxml.jackson.databind.node.ObjectNode;

import pcm.redfish.internal.Json;

/** {@code /redfish} (the protocol versions) and {@code /redfish/v1} (the service root). */
public final class ServiceRoot {

    private ServiceRoot() {}

    public static ObjectNode versions() {
        ObjectNode n = Json.object();
        n.put("v1", Odata.ROOT + "/");
        return n;
    }

    public static ObjectNode root(String uuid) {
        ObjectNode n = Odata.resource("RootService", Odata.SERVICE_ROOT, Odata.ROOT, "PCM Redfish service");
        n.put("RedfishVersion", "1.18.0");
        n.put("UUID", uuid);
        n.put("Product", "PCM Platform Checking Module");
        n.put("Vendor", "PCM");
        n.set("Systems", Odata.link(Odata.SYSTEMS));
        n.set("Managers", Odata.link(Odata.MANAGERS));
        n.set("SessionService", Odata.link(SessionResources.SERVICE));
        n.set("EventService", Odata.link(EventResources.SERVICE));
        n.set("TaskService", Odata.link(TaskResources.SERVICE));
        n.set("UpdateService", Odata.link(UpdateResources.SERVICE));
        n.set("CertificateService", Odata.link(NetworkResources.CERTIFICATE_SERVICE));
        n.putObject("Links").set("Sessions", Odata.link(SessionResources.SESSIONS));
        // PCM's own resources (windows, events, settings): pcm.redfish.internal.oem
        n.putObject("Oem").set("Pcm", Odata.link(Odata.ROOT + "/Oem/Pcm"));
        return n;
    }
}
