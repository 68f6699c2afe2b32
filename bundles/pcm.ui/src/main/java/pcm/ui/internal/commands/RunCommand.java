package pcm.ui.internal.commands;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Dictionary;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Hashtable;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Predicate;

import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.slf4j.LoggerFactory;

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
import pcm.ui.internal.format.Values;
import pcm.ui.internal.format.VmReport;
import pcm.ui.internal.status.ExitStatus;
import pcm.ui.internal.status.Report;

/**
 * {@code pcm:run}: the main job. Boots the configured guest (the embedded default guest unless
 * configured otherwise), streams its console to standard output, records sampling windows with
 * the periodic policy while it runs, verifies each window with the configured verifiers and prints
 * one line per window and verifier: {@code window <id> <MATCH|DIVERGED|INCONCLUSIVE> rcp=<id>
 * insns=<n> events=<n>}. Its exit status ({@link ExitStatus}): DIVERGED on any DIVERGED verdict, GUEST on an unclean
 * guest stop, UNVERIFIED when sampling was asked for and a window of this run lacks a MATCH of each configured verifier
 * or no window was recorded at all, USAGE for an option out of range.
 */
@Component(service = RunCommand.class, property = {"osgi.command.scope=pcm", "osgi.command.function=run"})
public class RunCommand extends PcmCommand {

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

    @Override
    protected String function() {
        return "run";
    }

    @Override
    protected String usage() {
        return USAGE;
    }

    @Descriptor("boot the guest, stream its console, wait until it stops; options override the pcm.vm configuration")
    public String run(CommandSession session,
            @Descriptor("workload size (4 KiB blocks); 0 keeps the configured value") @Parameter(names = {"-b", "--blocks"}, absentValue = "0") long blocks,
            @Descriptor("backend: auto, kvm or soft; empty keeps the configured value") @Parameter(names = {"--backend"}, absentValue = "") String backend,
            @Descriptor("seconds to wait for the guest to stop") @Parameter(names = {"-t", "--timeout"}, absentValue = "600") long timeoutSeconds,
            @Descriptor("instructions per sampling window (default " + DEFAULT_WINDOW + "); 0 = no sampling; -1 keeps the periodic policy's") @Parameter(names = {"-w", "--window"}, absentValue = DEFAULT_WINDOW) long windowInstructions,
            @Descriptor("milliseconds between windows (default " + DEFAULT_PERIOD + "); -1 keeps the periodic policy's") @Parameter(names = {"-p", "--period"}, absentValue = DEFAULT_PERIOD) long periodMillis,
            @Descriptor("Linux bzImage or vmlinux to boot instead of the guest image") @Parameter(names = {"--kernel"}, absentValue = "") String kernel,
            @Descriptor("initrd (cpio or cpio.gz) for --kernel") @Parameter(names = {"--initrd"}, absentValue = "") String initrd,
            @Descriptor("kernel command line; PCM adds console and TSC frequency") @Parameter(names = {"--append"}, absentValue = "") String append,
            @Descriptor("guest RAM in MiB; 0 keeps the configured value (" + KERNEL_MEMORY_MIB + " with --kernel)") @Parameter(names = {"--memory"}, absentValue = "0") int memoryMiB,
            @Descriptor("raw disk image for the virtio-blk device (read-write) with --kernel") @Parameter(names = {"--disk"}, absentValue = "") String disk,
            @Descriptor("seconds to wait, once the guest stopped (or was stopped at --timeout), for the recorded windows' verdicts; 0: as --timeout") @Parameter(names = {"--verify-timeout"}, absentValue = "0") long verifySeconds,
            @Descriptor("stop the guest once this many windows of this run are stored (0: no limit)") @Parameter(names = {"--windows"}, absentValue = "0") long windowLimit)
            throws Exception {
        checkArguments(blocks, backend, timeoutSeconds, windowInstructions, periodMillis);
        checkWindowLimit(windowLimit, windowInstructions);
        if (verifySeconds < 0 || verifySeconds > Long.MAX_VALUE / 1000)
            throw CommandFailure.usage("--verify-timeout " + verifySeconds + ": seconds >= 1, or 0 for the --timeout value. " + USAGE);
        long verifyMillis = (verifySeconds == 0 ? timeoutSeconds : verifySeconds) * 1000;
        KernelOptions linux = KernelOptions.check(kernel, initrd, append, memoryMiB, disk);
        // the options are for this run only: the operator's pcm.vm, periodic policy and disk are put back afterwards
        List<ConfigRestore> saved = Bundles.withService(context, ConfigurationAdmin.class, "no Config Admin service",
                cm -> linux.disk().isEmpty() ? List.of(ConfigRestore.take(cm, VM_PID), ConfigRestore.take(cm, PERIODIC_PID))
                        : List.of(ConfigRestore.take(cm, VM_PID), ConfigRestore.take(cm, PERIODIC_PID), ConfigRestore.take(cm, DISK_PID)));
        try (HeldServices services = new HeldServices(); AutoCloseable console = ConsolePump.open(context, session, !linux.isEmpty())) {
            if (!linux.disk().isEmpty()) attachDisk(linux.disk());
            return runWith(services, blocks, backend, timeoutSeconds, verifyMillis, windowInstructions, periodMillis, linux, windowLimit)
                    .finish(session);
        } finally {
            restore(saved);
        }
    }

    private void restore(List<ConfigRestore> saved) {
        try {
            Bundles.withService(context, ConfigurationAdmin.class, "no Config Admin service", cm -> {
                for (ConfigRestore r : saved) r.restore(cm);
                return null;
            });
        } catch (IOException | RuntimeException e) {
            LoggerFactory.getLogger(RunCommand.class).warn("pcm:run could not put the configuration back as it was: {}", e.toString());
        }
    }

    /** Guest RAM for a kernel when --memory is absent: Debian's kernel wants 16 MiB + init_size (64 MiB) + the initrd. */
    static final int KERNEL_MEMORY_MIB = KernelOptions.DEFAULT_MEMORY_MIB;

    static final String USAGE = "usage: pcm:run [--blocks N>=1] [--backend auto|kvm|soft] [--timeout s>=1] "
            + "[--window insns>=0|-1] [--period ms>=0|-1] [--kernel bzImage|vmlinux [--initrd cpio[.gz]] [--append args] [--disk raw-image]] [--memory MiB] "
            + "[--verify-timeout s] [--windows N>=0]";

    /** {@code --windows}: a count of windows, and only where this run samples. */
    static void checkWindowLimit(long windowLimit, long windowInstructions) {
        if (windowLimit < 0) throw CommandFailure.usage("--windows " + windowLimit + ": windows >= 1, or 0 for no limit. " + USAGE);
        if (windowLimit > 0 && windowInstructions == 0)
            throw CommandFailure.usage("--windows " + windowLimit + " with --window 0: this run records no windows. " + USAGE);
    }

    /** Range checks of the options (issue 11 item 8: {@code --blocks -5} was ignored): an operator error, with the usage. */
    static void checkArguments(long blocks, String backend, long timeoutSeconds, long windowInstructions, long periodMillis) {
        String bad = null;
        if (blocks < 0) bad = "--blocks " + blocks + ": the workload is at least 1 block (0 keeps the configured value)";
        else if (!List.of("", "auto", "kvm", "soft").contains(backend)) bad = "--backend '" + backend + "': not auto, kvm or soft";
        else if (timeoutSeconds < 1) bad = "--timeout " + timeoutSeconds + ": at least 1 second";
        else if (timeoutSeconds > Long.MAX_VALUE / 1000) bad = "--timeout " + timeoutSeconds + ": too large";
        else if (windowInstructions < -1) bad = "--window " + windowInstructions + ": instructions >= 1, 0 (no sampling) or -1 (the policy's)";
        else if (periodMillis < -1) bad = "--period " + periodMillis + ": milliseconds >= 0 or -1 (the policy's)";
        if (bad != null) throw CommandFailure.usage(bad + ". " + USAGE);
    }

    /** The run, with the services it looks up held (and released) by the caller. */
    private Report runWith(HeldServices services, long blocks, String backend, long timeoutSeconds, long verifyMillis, long windowInstructions,
                           long periodMillis, KernelOptions linux, long windowLimit) throws Exception {
        Vm vm = services.get(Vm.class, "no VM service (pcm.core's VM manager is not active)");
        applyOverrides(vm, blocks, backend, linux);
        boolean sampling = windowInstructions != 0;
        Sampler sampler = sampling ? services.get(Sampler.class, "no sampler (pcm.core's sampling is not active)") : null;
        VerificationService verification = sampling
                ? services.get(VerificationService.class, "no verification service (pcm.core's verification is not active)") : null;
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
        boolean timedOut = false, limitReached = false;
        long guestMillis = 0;
        Set<String> earlier = new HashSet<>(); // windows of earlier runs in this data directory
        // --windows: this run's stored windows, counted as the sampler announces them; wake ends the wait for the guest
        java.util.concurrent.CountDownLatch wake = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch stored = new java.util.concurrent.CountDownLatch((int) Math.min(windowLimit, Integer.MAX_VALUE));
        ServiceRegistration<pcm.core.api.sampling.WindowListener> storedReg = windowLimit > 0
                ? context.registerService(pcm.core.api.sampling.WindowListener.class, id -> {
                    if (!earlier.contains(id)) stored.countDown();
                    if (stored.getCount() == 0) wake.countDown();
                }, null) : null;
        try {
            if (sampling) sampler.windows().forEach(w -> earlier.add(w.id()));
            long started = System.nanoTime();
            vm.start();
            if (sampling) sampler.startPeriodic(null);
            status = awaitGuest(vm, sampler, timeoutSeconds, windowLimit > 0 ? wake : null);
            guestMillis = (System.nanoTime() - started) / 1_000_000;
            if (status.isEmpty() && windowLimit > 0 && stored.getCount() == 0) {
                // as many windows as asked: stopped as the timeout path stops it, but this is the run's planned end
                limitReached = true;
                pcm.ui.internal.lifecycle.OrderlyShutdown.closeWindow(sampler, 10_000);
                pcm.ui.internal.lifecycle.OrderlyShutdown.stopGuest(vm, 5_000);
                status = OptionalInt.of(vm.awaitStop(0).orElse(-1));
            } else if (status.isEmpty()) {
                // The time is up, but what was recorded is kept and reported: the open window closes where the guest
                // is, and every stored window is still verified (before, this path reported no verdict at all, and the
                // windows of a long run stopped at its timeout were never counted).
                timedOut = true;
                // (closeWindow stops periodic sampling itself, after letting a window in ENTRY start: stopped first,
                // a window given up just as it starts recording was left FAILED)
                if (sampling) pcm.ui.internal.lifecycle.OrderlyShutdown.closeWindow(sampler, 10_000);
                pcm.ui.internal.lifecycle.OrderlyShutdown.stopGuest(vm, 5_000);
                status = OptionalInt.of(vm.awaitStop(0).orElse(-1)); // stopGuest waited already: read its status
            }
            if (sampling) {
                sampler.stopPeriodic();
                awaitSamplerIdle(sampler, verifyMillis);
                if (!verification.awaitIdle(verifyMillis)) out.println("warning: verification did not finish within " + verifyMillis / 1000 + " s");
            }
        } catch (VmException e) {
            throw new CommandFailure("run failed: " + e.getMessage(), e);
        } finally {
            reg.unregister();
            if (verdictReg != null) verdictReg.unregister();
            if (storedReg != null) storedReg.unregister();
        }
        StringBuilder summary = new StringBuilder();
        long diverged = 0;
        ExitStatus result = ExitStatus.OK;
        if (sampling) {
            // this run's windows (listing the store reads every window's log: once)
            List<WindowInfo> windows = sampler.windows().stream().filter(w -> !earlier.contains(w.id())).toList();
            Map<String, Long> events = new HashMap<>();
            for (WindowInfo w : windows) events.put(w.id(), Values.total(w.eventCounts()));
            List<Verdict> sorted = new ArrayList<>(verdicts.stream().filter(v -> events.containsKey(v.windowId())).toList());
            // a verdict reached while no listener was registered is in the store: report it, never "not verified"
            Set<String> heard = new HashSet<>(sorted.stream().map(Verdict::windowId).toList());
            for (WindowInfo w : windows) if (!heard.contains(w.id())) sorted.addAll(verification.verdicts(w.id()));
            sorted.sort(Comparator.comparing(Verdict::windowId).thenComparing(Verdict::rcp));
            sorted = latestOfEachVerifier(sorted);
            Set<String> verified = new HashSet<>();
            for (Verdict v : sorted) {
                verified.add(v.windowId());
                // pcm:verify's text: its first line is this verdict line without the event count, the rest the detail
                List<String> text = VerifyCommand.format(v).lines().toList();
                out.println(text.getFirst() + " events=" + events.getOrDefault(v.windowId(), 0L));
                if (v.outcome() != Outcome.MATCH) out.println("  " + text.stream().skip(1).map(String::strip)
                        .reduce((a, b) -> a + "; " + b).orElse(""));
            }
            for (WindowInfo w : windows) {
                if (!verified.contains(w.id())) {
                    out.println("window " + w.id() + " INCONCLUSIVE rcp=- insns=" + w.instructions() + " events="
                            + events.getOrDefault(w.id(), 0L));
                    out.println("  not verified: the window is " + w.state());
                }
            }
            speed.lines(events.keySet()).forEach(out::println);
            diverged = sorted.stream().filter(v -> v.outcome() == Outcome.DIVERGED).count();
            long unverified = unverified(windows, sorted, verification.configuredVerifiers());
            summary.append(sorted.size()).append(" verdicts on ").append(events.size()).append(" windows, ")
                    .append(diverged).append(" DIVERGED");
            if (windows.isEmpty()) summary.append(", no window recorded");
            else if (unverified > 0) summary.append(", ").append(unverified).append(" without a MATCH of each configured verifier ")
                    .append(verification.configuredVerifiers());
            summary.append('\n');
            if (diverged > 0) result = ExitStatus.DIVERGED;
            else if (windows.isEmpty() || unverified > 0) result = ExitStatus.UNVERIFIED;
        }
        summary.append("guest stopped: status ").append(status.getAsInt()).append(" (").append(vm.stopReason()).append(") after ").append(guestMillis).append(" ms on ")
                .append(vm.backendDescription()).append("\n").append(VmReport.exits(vm.exitCounts()));
        // issue 11 item 7: exits a plug-in should have answered (it failed, timed out or is quarantined)
        Map<?, Long> fallbacks = vm.fallbackExitCounts();
        if (!fallbacks.isEmpty()) summary.append("  answered by a fallback because a plug-in failed or timed out: ")
                .append(Values.total(fallbacks)).append(' ').append(fallbacks).append(" from ").append(vm.fallbackExitsByPlugin()).append('\n');
        if (status.getAsInt() != 0) result = ExitStatus.worst(result, ExitStatus.GUEST);
        if (limitReached) summary.append("stopped the guest once ").append(windowLimit).append(" windows were stored (--windows)\n");
        if (timedOut) {
            summary.append("the guest did not stop within ").append(timeoutSeconds).append(" s; stopped it\n");
            result = ExitStatus.worst(result, ExitStatus.GUEST);
        }
        return new Report(summary.toString(), result);
    }

    /**
     * One verdict per window and verifier, the latest heard (the sort keeps the order heard among equals): a verifier
     * that left while its window waited (a bundle update) gives a not-final INCONCLUSIVE, then its real verdict when it
     * is back; the report is the verdict that stands, as {@link #unverified} counts it.
     */
    static List<Verdict> latestOfEachVerifier(List<Verdict> sortedByWindowAndVerifier) {
        List<Verdict> out = new ArrayList<>();
        for (Verdict v : sortedByWindowAndVerifier) {
            if (!out.isEmpty() && out.getLast().windowId().equals(v.windowId()) && out.getLast().rcp().equals(v.rcp())) out.removeLast();
            out.add(v);
        }
        return out;
    }

    /**
     * Windows not checked all through: no configured verifier, or one whose latest verdict on the window is not MATCH
     * or missing (no verifier installed, verdicts that could not be stored: issue 11 item 6). The latest counts, so a
     * verdict that was not final (a verifier waited for) and is replaced later does not.
     */
    static long unverified(List<WindowInfo> windows, List<Verdict> verdicts, List<String> verifiers) {
        long n = 0;
        for (WindowInfo w : windows) {
            Map<String, Outcome> latest = new HashMap<>();
            for (Verdict v : verdicts) if (v.windowId().equals(w.id())) latest.put(v.rcp(), v.outcome());
            if (verifiers.isEmpty() || !verifiers.stream().allMatch(r -> latest.get(r) == Outcome.MATCH)) n++;
        }
        return n;
    }

    /**
     * Waits for the guest to stop. Interrupted (Ctrl-C in a shell attached to a resident PCM, issue 16 item 1): the run
     * ends as an orderly stop would end it — the open window closed and stored, never torn, the guest stopped — and the
     * command fails; the runtime goes on.
     */
    private static OptionalInt awaitGuest(Vm vm, Sampler sampler, long timeoutSeconds, java.util.concurrent.CountDownLatch wake)
            throws InterruptedException {
        try {
            if (wake == null) return vm.awaitStop(timeoutSeconds * 1000);
            // --windows: whichever comes first, the guest's stop, the window count (the listener opens wake) or the
            // timeout (empty for both). Blocked waits only, no polling: with this command's thread waking every 100 ms
            // the emulated SVM host's kernel broke down at the first window in 3 runs of 3 (QEMU TCG's nested SVM;
            // docs/svm-host.md, "Fifty windows"), and not once without.
            Thread waiter = Thread.ofPlatform().daemon().name("pcm-run-await").start(() -> {
                try {
                    vm.awaitStop(timeoutSeconds * 1000);
                } catch (InterruptedException done) {
                    // the window count came first
                }
                wake.countDown();
            });
            try {
                wake.await(timeoutSeconds, java.util.concurrent.TimeUnit.SECONDS);
            } finally {
                waiter.interrupt();
            }
            return vm.awaitStop(0);
        } catch (InterruptedException e) {
            // cleared first: closing the window and stopping the guest wait, and would end at once with the flag set
            // (the shell then said "java.lang.InterruptedException" and the window's end depended on luck)
            Thread.interrupted();
            if (sampler != null) pcm.ui.internal.lifecycle.OrderlyShutdown.closeWindow(sampler, 10_000);
            pcm.ui.internal.lifecycle.OrderlyShutdown.stopGuest(vm, 5_000);
            Thread.interrupted(); // a second Ctrl-C meanwhile: reported as the command's failure, not passed on to Gogo
            throw new CommandFailure("interrupted: the open window was closed and the guest stopped");
        }
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
        configure(PERIODIC_PID, "no Config Admin service: cannot apply sampling options", props -> {
            if (windowInstructions > 0) props.put("windowInstructions", windowInstructions);
            if (periodMillis >= 0) props.put("periodMillis", Math.max(1, periodMillis));
        }, () -> periodicPolicyHas(p -> (windowInstructions <= 0 || p.windowInstructions() == windowInstructions)
                && (periodMillis < 0 || p.delayBeforeNextWindowMillis() == Math.max(1, periodMillis))),
                "the periodic policy did not take the new configuration in time");
    }

    /** Whether the periodic policy (the first registered one) passes the test; false while there is none. */
    private boolean periodicPolicyHas(Predicate<SamplingPolicy> test) {
        try {
            for (ServiceReference<SamplingPolicy> ref : context.getServiceReferences(SamplingPolicy.class,
                    "(" + SamplingPolicy.ID + "=periodic)")) {
                SamplingPolicy p = context.getService(ref);
                if (p == null) continue;
                try {
                    return test.test(p);
                } finally {
                    context.ungetService(ref); // asked every 20 ms while waiting: do not let the use count climb
                }
            }
        } catch (org.osgi.framework.InvalidSyntaxException e) {
            throw new IllegalStateException(e);
        }
        return false;
    }

    /** Must match pcm.devices' VirtioBlkDevice component name (its configuration PID). */
    static final String DISK_PID = "pcm.devices.virtio.blk";

    /**
     * Configures the virtio-blk device with {@code image} and waits until it is a PCI function with that image, so the
     * firmware tables and the bus have it when the VM starts. An image the device cannot open fails the run here
     * (the device's DiskImageException is in the log).
     */
    private void attachDisk(String image) throws IOException, InterruptedException {
        String filter = "(&(component.name=" + DISK_PID + ")(image=" + image.replace("\\", "\\5c").replace("*", "\\2a")
                .replace("(", "\\28").replace(")", "\\29") + "))";
        configure(DISK_PID, "no Config Admin service: cannot attach --disk", props -> props.put("image", image), () -> {
            try {
                return context.getServiceReferences("pcm.devices.api.pci.PciFunction", filter) != null;
            } catch (org.osgi.framework.InvalidSyntaxException e) {
                throw new IllegalStateException(e);
            }
        }, "the virtio-blk device did not come up with --disk " + image + " (see the log: pcm.devices.virtio.blk)");
    }

    /** Must match pcm.core's PeriodicPolicy.PID. */
    static final String PERIODIC_PID = "pcm.sampling.periodic";

    /** Writes overrides into the pcm.vm configuration and waits until the VM component has them. */
    private void applyOverrides(Vm vm, long blocks, String backend, KernelOptions linux) throws IOException, InterruptedException {
        if (blocks <= 0 && backend.isEmpty() && linux.isEmpty()) return;
        // Config Admin delivers updates asynchronously: tag this one and wait until the VM reports it.
        String generation = Long.toString(System.nanoTime());
        configure(VM_PID, "no Config Admin service: cannot apply run options", props -> {
            if (blocks > 0) props.put("workloadBlocks", blocks);
            if (!backend.isEmpty()) props.put("backend", backend);
            linux.applyTo(props);
            props.put(CONFIG_GENERATION, generation);
        }, () -> generation.equals(String.valueOf(vm.configuration().get(CONFIG_GENERATION))),
                "the VM did not take the new configuration in time");
    }

    /**
     * Merges into the configuration of {@code pid} (location "?": whichever bundle binds it) and waits until
     * {@code applied} says its component has taken it; {@code late} is the failure after CONFIG_APPLY_TIMEOUT_MS.
     */
    private void configure(String pid, String noConfigAdmin, Consumer<Dictionary<String, Object>> merge,
                           BooleanSupplier applied, String late) throws IOException, InterruptedException {
        Bundles.withService(context, ConfigurationAdmin.class, noConfigAdmin, cm -> {
            Configuration cfg = cm.getConfiguration(pid, "?");
            Dictionary<String, Object> props = cfg.getProperties() == null ? new Hashtable<>() : cfg.getProperties();
            merge.accept(props);
            cfg.update(props);
            return null;
        });
        long deadline = System.currentTimeMillis() + CONFIG_APPLY_TIMEOUT_MS;
        while (!applied.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) throw new CommandFailure(late);
            Thread.sleep(20);
        }
    }

    /** Must match pcm.core's KernelVm.CONFIG_GENERATION. */
    static final String CONFIG_GENERATION = "pcm.config.generation";

    /**
     * The services one run uses, each released when the run ends (the framework counts every getService). Releasing
     * does not deactivate them: the runtime sets ds.delayed.keepInstances (runconfigs/README.md).
     */
    private final class HeldServices implements AutoCloseable {
        private final List<ServiceReference<?>> refs = new ArrayList<>();

        <T> T get(Class<T> type, String missing) {
            ServiceReference<T> ref = context.getServiceReference(type);
            T s = ref == null ? null : context.getService(ref);
            if (s == null) throw new CommandFailure(missing);
            refs.add(ref);
            return s;
        }

        @Override
        public void close() {
            refs.forEach(context::ungetService);
        }
    }
}
