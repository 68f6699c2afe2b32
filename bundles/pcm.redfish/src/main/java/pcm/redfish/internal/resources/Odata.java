package pcm.redfish.internal.resources;

import com.fasterxml.jackson.databind.node.ObjectNode;

import pcm.redfish.internal.Json;

/**
 * The Redfish schema versions this service speaks (DMTF DSP8010 schema bundle) and the common properties of a
 * resource. Versions are those whose properties are used: PowerState "Paused" and ResetType Pause/Resume
 * are from Resource v1_13_0, so the ComputerSystem is a later one.
 */
public final class Odata {

    public static final String ROOT = "/redfish/v1";
    public static final String SYSTEMS = ROOT + "/Systems";
    public static final String SYSTEM_ID = "guest";
    public static final String SYSTEM = SYSTEMS + "/" + SYSTEM_ID;
    public static final String MANAGERS = ROOT + "/Managers";
    public static final String MANAGER_ID = "pcm";
    public static final String MANAGER = MANAGERS + "/" + MANAGER_ID;
    public static final String VERDICT_LOG = SYSTEM + "/LogServices/Verdicts";

    static final String SERVICE_ROOT = "#ServiceRoot.v1_16_0.ServiceRoot";
    static final String SYSTEM_COLLECTION = "#ComputerSystemCollection.ComputerSystemCollection";
    static final String COMPUTER_SYSTEM = "#ComputerSystem.v1_20_0.ComputerSystem";
    static final String PROCESSOR_COLLECTION = "#ProcessorCollection.ProcessorCollection";
    static final String PROCESSOR = "#Processor.v1_18_0.Processor";
    static final String MANAGER_COLLECTION = "#ManagerCollection.ManagerCollection";
    static final String MANAGER_TYPE = "#Manager.v1_18_0.Manager";
    static final String LOG_SERVICE_COLLECTION = "#LogServiceCollection.LogServiceCollection";
    static final String LOG_SERVICE = "#LogService.v1_6_0.LogService";
    static final String LOG_ENTRY_COLLECTION = "#LogEntryCollection.LogEntryCollection";
    static final String LOG_ENTRY = "#LogEntry.v1_15_0.LogEntry";
    static final String SESSION_SERVICE = "#SessionService.v1_1_9.SessionService";
    static final String SESSION_COLLECTION = "#SessionCollection.SessionCollection";
    static final String SESSION = "#Session.v1_7_0.Session";
    static final String EVENT_SERVICE = "#EventService.v1_10_0.EventService";
    static final String EVENT = "#Event.v1_9_0.Event";
    static final String TASK_SERVICE = "#TaskService.v1_2_0.TaskService";
    static final String TASK_COLLECTION = "#TaskCollection.TaskCollection";
    static final String TASK = "#Task.v1_7_0.Task";

    private Odata() {}

    static ObjectNode resource(String id, String type, String uri, String name) {
        ObjectNode n = Json.object();
        n.put("@odata.id", uri);
        n.put("@odata.type", type);
        if (id != null) n.put("Id", id);
        n.put("Name", name);
        return n;
    }

    static ObjectNode link(String uri) {
        ObjectNode n = Json.object();
        n.put("@odata.id", uri);
        return n;
    }

    static ObjectNode collection(String type, String uri, String name, Iterable<String> members) {
        ObjectNode n = resource(null, type, uri, name);
        var array = n.putArray("Members");
        int count = 0;
        for (String m : members) {
            array.add(link(m));
            count++;
        }
        n.put("Members@odata.count", count);
        return n;
    }

    static ObjectNode status(String state, String health) {
        ObjectNode n = Json.object();
        n.put("State", state);
        n.put("Health", health);
        return n;
    }
}
