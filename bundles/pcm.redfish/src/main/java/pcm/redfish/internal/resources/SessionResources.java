package pcm.redfish.internal.resources;

import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

import pcm.redfish.internal.security.SessionStore;
import pcm.redfish.internal.security.User;

/** {@code SessionService}: Redfish login sessions (X-Auth-Token). */
public final class SessionResources {

    public static final String SERVICE = Odata.ROOT + "/SessionService";
    public static final String SESSIONS = SERVICE + "/Sessions";

    private SessionResources() {}

    public static ObjectNode service(long timeoutSeconds) {
        ObjectNode n = Odata.resource("SessionService", Odata.SESSION_SERVICE, SERVICE, "Session Service");
        n.put("ServiceEnabled", true);
        n.put("SessionTimeout", timeoutSeconds);
        n.set("Status", Odata.status("Enabled", "OK"));
        n.set("Sessions", Odata.link(SESSIONS));
        return n;
    }

    /** An Administrator sees every session, any other user only its own. */
    public static boolean visible(SessionStore.Session s, User viewer) {
        return viewer.mayChangeState() || s.user().name().equals(viewer.name());
    }

    public static ObjectNode collection(List<SessionStore.Session> sessions, User viewer) {
        return Odata.collection(Odata.SESSION_COLLECTION, SESSIONS, "Session Collection",
                sessions.stream().filter(s -> visible(s, viewer)).map(s -> SESSIONS + "/" + s.id()).toList());
    }

    public static ObjectNode session(SessionStore.Session s) {
        ObjectNode n = Odata.resource(s.id(), Odata.SESSION, SESSIONS + "/" + s.id(), "User Session");
        n.put("UserName", s.user().name());
        n.put("Roles", s.user().role());
        return n;
    }
}
