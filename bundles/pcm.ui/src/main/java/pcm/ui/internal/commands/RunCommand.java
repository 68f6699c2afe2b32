package pcm.ui.internal.commands;

import java.io.IOException;
import java.io.PrintStream;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.OptionalInt;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import pcm.core.api.vm.ConsoleListener;
import pcm.core.api.vm.Vm;
import pcm.core.api.vm.VmException;
import pcm.ui.internal.format.VmReport;

/**
 * {@code pcm:run}: the main job. Boots the configured guest (the embedded default guest unless
 * configured otherwise), streams its console to standard output, waits for it to stop and fails
 * (non-zero exec status) unless it powered off cleanly.
 */
@Component(service = RunCommand.class, property = {"osgi.command.scope=pcm", "osgi.command.function=run"})
public class RunCommand {

    static final String VM_PID = "pcm.vm";
    private static final long CONFIG_APPLY_TIMEOUT_MS = 10_000;

    private final BundleContext context;

    @Activate
    public RunCommand(BundleContext context) {
        this.context = context;
    }

    @Descriptor("boot the guest, stream its console, wait until it stops; options override the pcm.vm configuration")
    public String run(
            @Descriptor("workload size (4 KiB blocks); 0 keeps the configured value") @Parameter(names = {"-b", "--blocks"}, absentValue = "0") long blocks,
            @Descriptor("backend: auto, kvm or soft; empty keeps the configured value") @Parameter(names = {"--backend"}, absentValue = "") String backend,
            @Descriptor("seconds to wait for the guest to stop") @Parameter(names = {"-t", "--timeout"}, absentValue = "600") long timeoutSeconds)
            throws Exception {
        Vm vm = service(Vm.class, "no VM service (pcm.core's VM manager is not active)");
        applyOverrides(vm, blocks, backend);

        PrintStream out = System.out; // the vCPU thread writes here: the launcher's real stdout
        ConsoleListener echo = (bytes, offset, length) -> {
            out.write(bytes, offset, length);
            out.flush();
        };
        ServiceRegistration<ConsoleListener> reg = context.registerService(ConsoleListener.class, echo, null);
        OptionalInt status;
        try {
            vm.start();
            status = vm.awaitStop(timeoutSeconds * 1000);
            if (status.isEmpty()) {
                vm.stop();
                vm.awaitStop(5_000);
                throw new CommandFailure("the guest did not stop within " + timeoutSeconds + " s; stopped it");
            }
        } catch (VmException e) {
            throw new CommandFailure("run failed: " + e.getMessage(), e);
        } finally {
            reg.unregister();
        }
        String summary = "guest stopped: status " + status.getAsInt() + " (" + vm.stopReason() + ") on " + vm.backendDescription()
                + "\n" + VmReport.exits(vm.exitCounts());
        if (status.getAsInt() != 0) throw new CommandFailure(summary);
        return summary;
    }

    /** Writes overrides into the pcm.vm configuration and waits until the VM component has them. */
    private void applyOverrides(Vm vm, long blocks, String backend) throws IOException, InterruptedException {
        if (blocks <= 0 && backend.isEmpty()) return;
        ConfigurationAdmin cm = service(ConfigurationAdmin.class, "no Config Admin service: cannot apply run options");
        Configuration cfg = cm.getConfiguration(VM_PID, "?");
        Dictionary<String, Object> props = cfg.getProperties() == null ? new Hashtable<>() : cfg.getProperties();
        if (blocks > 0) props.put("workloadBlocks", blocks);
        if (!backend.isEmpty()) props.put("backend", backend);
        // Config Admin delivers updates asynchronously: tag this one and wait until the VM reports it.
        String generation = Long.toString(System.nanoTime());
        props.put(CONFIG_GENERATION, generation);
        cfg.update(props);
        long deadline = System.currentTimeMillis() + CONFIG_APPLY_TIMEOUT_MS;
        while (!generation.equals(String.valueOf(vm.configuration().get(CONFIG_GENERATION)))) {
            if (System.currentTimeMillis() > deadline) throw new CommandFailure("the VM did not take the new configuration in time");
            Thread.sleep(20);
        }
    }

    /** Must match pcm.core's KernelVm.CONFIG_GENERATION. */
    static final String CONFIG_GENERATION = "pcm.config.generation";

    private <T> T service(Class<T> type, String missing) {
        ServiceReference<T> ref = context.getServiceReference(type);
        T s = ref == null ? null : context.getService(ref);
        if (s == null) throw new CommandFailure(missing);
        return s;
    }
}
