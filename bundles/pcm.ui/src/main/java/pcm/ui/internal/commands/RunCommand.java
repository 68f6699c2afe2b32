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

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import pcm.core.api.sampling.Sampler;
import pcm.core.api.sampling.SamplingPolicy;
import pcm.core.api.sampling.WindowInfo;
import pcm.core.api.verify.Outcome;
import pcm.core.api.verify.ReplayTiming;
import pcm.core.api.verify.Verdict;
import pcm.core.api.verify.VerdictListener;
import pcm.core.api.verify.VerificationService;
import pcm.core.api.vm.ConsoleListener;
import pcm.core.api.vm.Vm;
import pcm.core.api.vm.VmException;
import pcm.ui.internal.format.VmReport;

/**
 * {@code pcm:run}: the main job. Boots the configured guest (the embedded default guest unless
 * configured otherwise), streams its console to standard output, records sampling windows with
 * the periodic policy while it runs, verifies each window with the configured verifiers and prints
 * one line per window and verifier: {@code window <id> <MATCH|DIVERGED|INCONCLUSIVE> rcp=<id>
 * insns=<n> events=<n>}. Fails (non-zero exec status) on any DIVERGED or an unclean guest stop.
 */
@Component(service = RunCommand.class, property = {"osgi.command.scope=pcm", "osgi.command.function=run"})
public class RunCommand {

    static final String VM_PID = "pcm.vm";
    /**
     * The main job samples densely so that even a short guest run yields windows: stepping a window
     * costs ~0.2-0.5 ms per CPL3 instruction on PVM hosts (docs/positions-on-kvm.md), so windows stay small.
     */
    static final String DEFAULT_WINDOW = "2000";
    static final String DEFAULT_PERIOD = "50";
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
            @Descriptor("seconds to wait for the guest to stop") @Parameter(names = {"-t", "--timeout"}, absentValue = "600") long timeoutSeconds,
            @Descriptor("instructions per sampling window (default " + DEFAULT_WINDOW + "); 0 = no sampling; -1 keeps the periodic policy's") @Parameter(names = {"-w", "--window"}, absentValue = DEFAULT_WINDOW) long windowInstructions,
            @Descriptor("milliseconds between windows (default " + DEFAULT_PERIOD + "); -1 keeps the periodic policy's") @Parameter(names = {"-p", "--period"}, absentValue = DEFAULT_PERIOD) long periodMillis)
            throws Exception {
        Vm vm = service(Vm.class, "no VM service (pcm.core's VM manager is not active)");
        applyOverrides(vm, blocks, backend);
        boolean sampling = windowInstructions != 0;
        Sampler sampler = sampling ? service(Sampler.class, "no sampler (pcm.core's sampling is not active)") : null;
        VerificationService verification = sampling
                ? service(VerificationService.class, "no verification service (pcm.core's verification is not active)") : null;
        if (sampling) applyPolicy(windowInstructions, periodMillis);

        PrintStream out = System.out; // the vCPU thread writes here: the launcher's real stdout
        ConsoleListener echo = (bytes, offset, length) -> {
            out.write(bytes, offset, length);
            out.flush();
        };
        ServiceRegistration<ConsoleListener> reg = context.registerService(ConsoleListener.class, echo, null);
        List<Verdict> verdicts = new CopyOnWriteArrayList<>();
        ReplaySpeed speed = new ReplaySpeed();
        VerdictListener listener = new VerdictListener() {
            @Override
            public void verdict(Verdict v) {
                verdicts.add(v);
            }

            @Override
            public void verdict(Verdict v, ReplayTiming timing) {
                verdicts.add(v);
                speed.add(v, timing);
            }
        };
        ServiceRegistration<VerdictListener> verdictReg = sampling
                ? context.registerService(VerdictListener.class, listener, null) : null;
        OptionalInt status;
        long guestMillis = 0;
        java.util.Set<String> earlier = new java.util.HashSet<>(); // windows of earlier runs in this data directory
        try {
            if (sampling) sampler.windows().forEach(w -> earlier.add(w.id()));
            long started = System.nanoTime();
            vm.start();
            if (sampling) sampler.startPeriodic(null);
            status = vm.awaitStop(timeoutSeconds * 1000);
            guestMillis = (System.nanoTime() - started) / 1_000_000;
            if (sampling) {
                sampler.stopPeriodic();
                awaitSamplerIdle(sampler, timeoutSeconds * 1000);
                if (!verification.awaitIdle(timeoutSeconds * 1000)) out.println("warning: verification did not finish within " + timeoutSeconds + " s");
            }
            if (status.isEmpty()) {
                vm.stop();
                vm.awaitStop(5_000);
                throw new CommandFailure("the guest did not stop within " + timeoutSeconds + " s; stopped it");
            }
        } catch (VmException e) {
            throw new CommandFailure("run failed: " + e.getMessage(), e);
        } finally {
            reg.unregister();
            if (verdictReg != null) verdictReg.unregister();
        }
        StringBuilder summary = new StringBuilder();
        long diverged = 0;
        if (sampling) {
            Map<String, Long> events = new java.util.HashMap<>();
            for (WindowInfo w : sampler.windows()) {
                if (!earlier.contains(w.id())) events.put(w.id(), w.eventCounts().values().stream().mapToLong(Long::longValue).sum());
            }
            List<Verdict> sorted = new ArrayList<>(verdicts.stream().filter(v -> events.containsKey(v.windowId())).toList());
            sorted.sort(Comparator.comparing(Verdict::windowId).thenComparing(Verdict::rcp));
            for (Verdict v : sorted) {
                out.println("window " + v.windowId() + " " + v.outcome() + " rcp=" + v.rcp() + " insns=" + v.instructions()
                        + " events=" + events.getOrDefault(v.windowId(), 0L));
                if (v.outcome() != Outcome.MATCH) out.println("  " + VerifyCommand.format(v).lines().skip(1).map(String::strip)
                        .reduce((a, b) -> a + "; " + b).orElse(""));
            }
            for (WindowInfo w : sampler.windows()) {
                if (earlier.contains(w.id())) continue;
                if (sorted.stream().noneMatch(v -> v.windowId().equals(w.id()))) {
                    out.println("window " + w.id() + " INCONCLUSIVE rcp=- insns=" + w.instructions() + " events="
                            + events.getOrDefault(w.id(), 0L));
                    out.println("  not verified: the window is " + w.state());
                }
            }
            speed.lines(events.keySet()).forEach(out::println);
            diverged = sorted.stream().filter(v -> v.outcome() == Outcome.DIVERGED).count();
            summary.append(sorted.size()).append(" verdicts on ").append(events.size()).append(" windows, ")
                    .append(diverged).append(" DIVERGED\n");
        }
        summary.append("guest stopped: status ").append(status.getAsInt()).append(" (").append(vm.stopReason()).append(") after ").append(guestMillis).append(" ms on ")
                .append(vm.backendDescription()).append("\n").append(VmReport.exits(vm.exitCounts()));
        if (status.getAsInt() != 0 || diverged > 0) throw new CommandFailure(summary.toString());
        return summary.toString();
    }

    /** A window open when the guest stopped closes where the guest is; wait for it before counting verdicts. */
    private static void awaitSamplerIdle(Sampler sampler, long timeoutMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while ((sampler.state() != pcm.core.api.sampling.SamplingState.IDLE || sampler.currentWindow().isPresent())
                && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
    }

    /** Window length and period of the periodic policy, through Config Admin; waits until the policy has them. */
    private void applyPolicy(long windowInstructions, long periodMillis) throws IOException, InterruptedException {
        if (windowInstructions < 0 && periodMillis < 0) return;
        ConfigurationAdmin cm = service(ConfigurationAdmin.class, "no Config Admin service: cannot apply sampling options");
        Configuration cfg = cm.getConfiguration(PERIODIC_PID, "?");
        Dictionary<String, Object> props = cfg.getProperties() == null ? new Hashtable<>() : cfg.getProperties();
        if (windowInstructions > 0) props.put("windowInstructions", windowInstructions);
        if (periodMillis >= 0) props.put("periodMillis", Math.max(1, periodMillis));
        cfg.update(props);
        long deadline = System.currentTimeMillis() + CONFIG_APPLY_TIMEOUT_MS;
        while (true) {
            SamplingPolicy p = periodicPolicy();
            if (p != null && (windowInstructions <= 0 || p.windowInstructions() == windowInstructions)
                    && (periodMillis < 0 || p.delayBeforeNextWindowMillis() == Math.max(1, periodMillis))) return;
            if (System.currentTimeMillis() > deadline) throw new CommandFailure("the periodic policy did not take the new configuration in time");
            Thread.sleep(20);
        }
    }

    private SamplingPolicy periodicPolicy() {
        try {
            for (ServiceReference<SamplingPolicy> ref : context.getServiceReferences(SamplingPolicy.class,
                    "(" + SamplingPolicy.ID + "=periodic)")) {
                SamplingPolicy p = context.getService(ref);
                if (p != null) return p;
            }
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        return null;
    }

    /** Must match pcm.core's PeriodicPolicy.PID. */
    static final String PERIODIC_PID = "pcm.sampling.periodic";

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
