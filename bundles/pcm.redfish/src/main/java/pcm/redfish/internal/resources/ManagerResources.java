package pcm.redfish.internal.resources;

import java.util.List;
import java.util.Optional;

import org.osgi.framework.Bundle;

import com.fasterxml.jackson.databind.node.ObjectNode;

import pcm.core.api.sampling.Sampler;

/** {@code Managers/pcm}: PCM itself — its version, its bundles and its sampler (OEM). */
public final class ManagerResources {

    /** Where pcm.ui's remote exec action is served (the shell that attaches: bin/pcm exec, bin/pcm shell). */
    public static final String EXEC = Odata.MANAGER + "/Actions/Oem/Pcm.Exec";
    public static final String INTERRUPT = Odata.MANAGER + "/Actions/Oem/Pcm.Interrupt";

    private ManagerResources() {}

    public static ObjectNode collection() {
        return Odata.collection(Odata.MANAGER_COLLECTION, Odata.MANAGERS, "Manager Collection", List.of(Odata.MANAGER));
    }

    public static ObjectNode manager(Sources sources) {
        ObjectNode n = Odata.resource(Odata.MANAGER_ID, Odata.MANAGER_TYPE, Odata.MANAGER, "PCM Platform Checking Module");
        n.put("ManagerType", "Service");
        n.put("Description", "The thin hypervisor that runs the guest and checks its CPU");
        n.put("FirmwareVersion", sources.firmwareVersion());
        n.set("Status", Odata.status("Enabled", "OK"));
        n.putObject("Links").putArray("ManagerForServers").add(Odata.link(Odata.SYSTEM));
        n.set("NetworkProtocol", Odata.link(NetworkResources.PROTOCOL));
        ObjectNode oemActions = n.putObject("Actions").putObject("Oem");
        oemActions.putObject("#Pcm.Exec").put("target", EXEC);
        oemActions.putObject("#Pcm.Interrupt").put("target", INTERRUPT);
        oemActions.putObject("#Pcm.SelfTest").put("target", TaskResources.SELF_TEST);
        ObjectNode oem = n.putObject("Oem").putObject("Pcm");
        oem.put("@odata.type", "#PcmManager.v1_0_0.PcmManager");
        var bundles = oem.putArray("Bundles");
        for (Bundle b : sources.bundles()) {
            ObjectNode o = bundles.addObject();
            o.put("Id", b.getBundleId());
            o.put("SymbolicName", b.getSymbolicName());
            o.put("Version", b.getVersion().toString());
            o.put("State", state(b.getState()));
        }
        Sampler s = sources.sampler();
        ObjectNode sampler = oem.putObject("Sampler");
        if (s == null) sampler.put("State", "Absent");
        else {
            sampler.put("State", s.state().name());
            sampler.put("Periodic", s.periodicRunning());
            sampler.put("SkippedForVerificationBacklog", s.skippedForVerificationBacklog());
            Optional<String> w = s.currentWindow();
            if (w.isPresent()) sampler.put("CurrentWindow", w.get());
            else sampler.putNull("CurrentWindow");
        }
        return n;
    }

    static String state(int state) {
        return switch (state) {
            case Bundle.ACTIVE -> "ACTIVE";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            default -> "UNINSTALLED";
        };
    }
}
