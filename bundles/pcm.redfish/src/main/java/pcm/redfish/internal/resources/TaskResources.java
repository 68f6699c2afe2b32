package pcm.redfish.internal.resources;

import java.util.List;

import com.fasterxml.jackson.databind.node.ObjectNode;

import pcm.redfish.internal.tasks.ApiTasks;
import pcm.ui.api.selftest.SelfTest;
import pcm.ui.api.selftest.SelfTestReport;

/** {@code TaskService}: long work as Redfish Tasks (verifying a window, the self-test), with progress. */
public final class TaskResources {

    public static final String SERVICE = Odata.ROOT + "/TaskService";
    public static final String TASKS = SERVICE + "/Tasks";
    /** OEM action of the verdict log: verify a window now, as a task. */
    public static final String VERIFY = Odata.VERDICT_LOG + "/Actions/Oem/Pcm.Verify";
    /** OEM action of the manager: run the self-test, as a task. */
    public static final String SELF_TEST = Odata.MANAGER + "/Actions/Oem/Pcm.SelfTest";

    private TaskResources() {}

    public static ObjectNode service() {
        ObjectNode n = Odata.resource("TaskService", Odata.TASK_SERVICE, SERVICE, "Task Service");
        n.put("ServiceEnabled", true);
        n.put("CompletedTaskOverWritePolicy", "Oldest");
        n.put("LifeCycleEventOnTaskStateChange", false);
        n.set("Status", Odata.status("Enabled", "OK"));
        n.set("Tasks", Odata.link(TASKS));
        return n;
    }

    public static ObjectNode collection(List<ApiTasks.Task> tasks) {
        return Odata.collection(Odata.TASK_COLLECTION, TASKS, "Task Collection", tasks.stream().map(t -> TASKS + "/" + t.id).toList());
    }

    /** What every task resource carries: its state, status, progress and times. */
    private static ObjectNode header(ApiTasks.Task t, String name) {
        ObjectNode n = Odata.resource(t.id, Odata.TASK, TASKS + "/" + t.id, name);
        n.put("TaskState", t.state);
        n.put("TaskStatus", t.status());
        n.put("PercentComplete", t.percent());
        n.put("StartTime", t.start.toString());
        if (t.end != null) n.put("EndTime", t.end.toString());
        return n;
    }

    /** A task that failed says why, as the last of its messages. */
    private static void failure(ApiTasks.Task t, com.fasterxml.jackson.databind.node.ArrayNode messages) {
        if (t.failure == null) return;
        ObjectNode m = messages.addObject();
        m.put("MessageId", "Base.1.0.InternalError");
        m.put("Message", t.failure);
        m.put("MessageSeverity", "Critical");
    }

    public static ObjectNode task(ApiTasks.Task t) {
        if (t.kind == ApiTasks.Kind.SELF_TEST) return selfTestTask(t);
        ObjectNode n = header(t, "Verify window " + t.windowId + " with " + t.verifier);
        var messages = n.putArray("Messages");
        if (t.verdict != null) {
            ObjectNode entry = VerdictLog.entry(t.verdict);
            ObjectNode m = messages.addObject();
            m.put("MessageId", "Pcm.1.0.Verdict");
            m.put("Message", entry.get("Message").asText());
            m.put("MessageSeverity", entry.get("Severity").asText());
            n.putObject("Links").set("CreatedResources", n.arrayNode().add(Odata.link(entry.get("@odata.id").asText())));
        }
        failure(t, messages);
        ObjectNode oem = n.putObject("Oem").putObject("Pcm");
        oem.put("@odata.type", "#PcmTask.v1_0_0.PcmTask");
        oem.put("WindowId", t.windowId);
        oem.put("Verifier", t.verifier);
        oem.put("Position", t.position);
        oem.put("Instructions", t.instructions);
        if (t.verdict != null) oem.put("Outcome", t.verdict.outcome().name());
        return n;
    }

    /** The self-test as a task: each check decided is a message (OK or Critical), the report's file when done. */
    static ObjectNode selfTestTask(ApiTasks.Task t) {
        ObjectNode n = header(t, "Self-test");
        var messages = n.putArray("Messages");
        for (SelfTestReport.Check c : t.checks) {
            ObjectNode m = messages.addObject();
            m.put("MessageId", "Pcm.1.0.SelfTestCheck");
            m.put("Message", c.name() + ": " + (c.passed() ? "PASS" : "FAIL") + ", " + c.detail());
            m.put("MessageSeverity", c.passed() ? Health.OK : Health.CRITICAL);
        }
        failure(t, messages);
        ObjectNode oem = n.putObject("Oem").putObject("Pcm");
        oem.put("@odata.type", "#PcmTask.v1_0_0.PcmTask");
        oem.put("Kind", "SelfTest");
        oem.put("ChecksDone", t.checks.size());
        oem.put("Checks", SelfTest.CHECKS);
        SelfTestReport r = t.report;
        if (r != null) {
            oem.put("Passed", r.passed());
            if (r.stored() != null) oem.put("Report", r.stored());
        }
        return n;
    }
}
