package pcm.redfish.internal.resources;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.node.ObjectNode;

import pcm.core.api.verify.Verdict;
import pcm.core.api.vm.Vm;
import pcm.core.api.vm.VmException;
import pcm.core.api.vm.VmState;

/** {@code Systems}: the one guest as a ComputerSystem, its vCPUs as Processors, and its Reset action. */
public final class SystemResources {

    /** The ResetType values this system allows (Redfish Resource.ResetType). */
    public static final List<String> RESET_TYPES = List.of("On", "ForceOff", "ForceRestart", "Pause", "Resume");

    private SystemResources() {}

    public static ObjectNode collection() {
        return Odata.collection(Odata.SYSTEM_COLLECTION, Odata.SYSTEMS, "Computer System Collection", List.of(Odata.SYSTEM));
    }

    /** Redfish PowerState of the VM state: the guest is "On" while it runs, "Paused" when paused, else "Off". */
    static String powerState(VmState s) {
        return switch (s) {
            case RUNNING -> "On";
            case PAUSED -> "Paused";
            case CREATED, STOPPED -> "Off";
        };
    }

    public static ObjectNode system(Vm vm, List<Verdict> verdicts) {
        ObjectNode n = Odata.resource(Odata.SYSTEM_ID, Odata.COMPUTER_SYSTEM, Odata.SYSTEM, "PCM guest");
        VmState state = vm.state();
        n.put("SystemType", "Virtual");
        n.put("Description", "The one guest operating system PCM runs, on " + vm.backendDescription());
        n.put("PowerState", powerState(state));
        n.set("Status", Odata.status(state == VmState.RUNNING || state == VmState.PAUSED ? "Enabled" : "StandbyOffline",
                Health.OK));
        ((ObjectNode) n.get("Status")).put("HealthRollup", Health.of(verdicts));
        ObjectNode summary = n.putObject("ProcessorSummary");
        summary.put("Count", vm.vcpuCount());
        summary.set("Status", Odata.status("Enabled", Health.of(verdicts)));
        n.set("Processors", Odata.link(Odata.SYSTEM + "/Processors"));
        n.set("LogServices", Odata.link(Odata.SYSTEM + "/LogServices"));
        ObjectNode reset = n.putObject("Actions").putObject("#ComputerSystem.Reset");
        reset.put("target", Odata.SYSTEM + "/Actions/ComputerSystem.Reset");
        var allowed = reset.putArray("ResetType@Redfish.AllowableValues");
        RESET_TYPES.forEach(allowed::add);
        ObjectNode links = n.putObject("Links");
        links.putArray("ManagedBy").add(Odata.link(Odata.MANAGER));
        ObjectNode oem = n.putObject("Oem").putObject("Pcm");
        oem.put("@odata.type", "#PcmComputerSystem.v1_0_0.PcmComputerSystem");
        oem.put("VmState", state.name());
        oem.put("Backend", vm.backendDescription());
        String reason = vm.stopReason();
        if (reason != null && !reason.isEmpty()) oem.put("StopReason", reason);
        return n;
    }

    public static ObjectNode processors(Vm vm) {
        List<String> members = new ArrayList<>();
        for (int i = 0; i < vm.vcpuCount(); i++) members.add(Odata.SYSTEM + "/Processors/" + cpuId(i));
        return Odata.collection(Odata.PROCESSOR_COLLECTION, Odata.SYSTEM + "/Processors", "Processor Collection", members);
    }

    public static String cpuId(int vcpu) {
        return "vcpu" + vcpu;
    }

    /** The vCPU of an id ("vcpu0"), or -1 when there is none. */
    public static int vcpuOf(Vm vm, String id) {
        if (!id.startsWith("vcpu")) return -1;
        try {
            int i = Integer.parseInt(id.substring(4));
            return i >= 0 && i < vm.vcpuCount() && id.equals(cpuId(i)) ? i : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** A vCPU; its health is the CPU check's: every window's verdicts (windows cover the whole VM). */
    public static ObjectNode processor(Vm vm, int vcpu, List<Verdict> verdicts) {
        String id = cpuId(vcpu);
        ObjectNode n = Odata.resource(id, Odata.PROCESSOR, Odata.SYSTEM + "/Processors/" + id, "Virtual CPU " + vcpu);
        n.put("ProcessorType", "CPU");
        n.put("ProcessorArchitecture", "x86");
        n.put("InstructionSet", "x86-64");
        n.set("Status", Odata.status(vm.state() == VmState.RUNNING || vm.state() == VmState.PAUSED ? "Enabled" : "StandbyOffline",
                Health.of(verdicts)));
        ObjectNode oem = n.putObject("Oem").putObject("Pcm");
        oem.put("@odata.type", "#PcmProcessor.v1_0_0.PcmProcessor");
        oem.put("Verdicts", verdicts.size());
        for (var o : pcm.core.api.verify.Outcome.values())
            oem.put(o.name().charAt(0) + o.name().substring(1).toLowerCase(Locale.ROOT),
                    verdicts.stream().filter(v -> v.outcome() == o).count());
        return n;
    }

    /**
     * Carries out a ResetType on the VM; returns null when done, else why not (an IllegalArgumentException for a
     * value not allowed). "On" of a running guest is done already.
     */
    public static String reset(Vm vm, String type) throws VmException, InterruptedException {
        switch (type) {
            case "On" -> {
                if (vm.state() == VmState.RUNNING) return null;
                if (vm.state() == VmState.PAUSED) return "the guest is paused: Resume it";
                vm.start();
            }
            case "ForceOff" -> {
                vm.stop();
                vm.awaitStop(10_000);
            }
            case "ForceRestart" -> {
                vm.stop();
                if (vm.awaitStop(10_000).isEmpty()) return "the guest did not stop within 10 s";
                vm.start();
            }
            case "Pause" -> vm.pause();
            case "Resume" -> vm.resume();
            default -> throw new IllegalArgumentException("ResetType '" + type + "' is not one of " + RESET_TYPES);
        }
        return null;
    }

}
