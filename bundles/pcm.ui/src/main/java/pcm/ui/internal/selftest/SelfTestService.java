package pcm.ui.internal.selftest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.concurrent.locks.ReentrantLock;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import com.fasterxml.jackson.databind.ObjectMapper;

import pcm.core.api.cpu.HostInfo;
import pcm.core.api.cpu.Hypervisor;
import pcm.core.api.sampling.Sampler;
import pcm.core.api.verify.Verdict;
import pcm.core.api.verify.VerificationService;
import pcm.core.api.verify.VerificationService.VerificationException;
import pcm.core.api.vm.Vm;
import pcm.core.api.vm.VmState;
import pcm.ui.api.selftest.SelfTest;
import pcm.ui.api.selftest.SelfTestReport;
import pcm.ui.api.selftest.SelfTestReport.Check;

/**
 * The self-test ({@link SelfTest}). The window is one of the guest's: recorded on the running guest, or, when the guest
 * is not running, on the guest booted for it and stopped again afterwards. The fault is injected by pcm.tracers'
 * fault-injecting verifier (the machinery GuestBootIT uses), configured here as a factory configuration that hands a
 * copy of the window with one register bit flipped to the {@code soft} verifier, and removed afterwards.
 */
@Component(service = SelfTest.class)
public class SelfTestService implements SelfTest {

    private static final Logger LOG = LoggerFactory.getLogger(SelfTestService.class);

    static final long WINDOW_INSTRUCTIONS = 2000;
    static final long WINDOW_TIMEOUT_MILLIS = 60_000;
    static final long VERIFIER_WAIT_MILLIS = 20_000;
    static final String VERIFIER = "soft";
    private static final DateTimeFormatter FILE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'").withZone(ZoneOffset.UTC);

    /** Services PCM cannot work without, by interface name (what the operator sees when one is missing). */
    static final List<String> REQUIRED = List.of(Vm.class.getName(), Sampler.class.getName(),
            VerificationService.class.getName(), ConfigurationAdmin.class.getName(),
            "org.osgi.service.metatype.MetaTypeService", "org.osgi.service.component.runtime.ServiceComponentRuntime",
            "org.apache.felix.service.command.CommandProcessor");

    private final BundleContext context;
    private final ReentrantLock oneAtATime = new ReentrantLock();

    @Activate
    public SelfTestService(BundleContext context) {
        this.context = context;
    }

    @Override
    public SelfTestReport run() throws InterruptedException {
        return run(c -> {});
    }

    @Override
    public SelfTestReport run(Consumer<Check> progress) throws InterruptedException {
        if (!oneAtATime.tryLock()) throw new IllegalStateException("a self-test is running already");
        try {
            Instant started = Instant.now();
            List<Check> checks = new Reported(progress);
            checks.add(framework());
            checks.add(backend());
            if (checks.stream().allMatch(Check::passed)) guestChecks(checks);
            SelfTestReport unstored = new SelfTestReport(started, checks, null);
            String stored = store(unstored);
            SelfTestReport report = new SelfTestReport(started, checks, stored);
            LOG.info("self-test {}: {}", report.passed() ? "passed" : "FAILED", checks);
            return report;
        } finally {
            oneAtATime.unlock();
        }
    }

    /** The checks so far: each one added is told to the run's listener at once (progress of the API's task). */
    private static final class Reported extends ArrayList<Check> {
        private static final long serialVersionUID = 1L;
        private final transient Consumer<Check> progress;

        Reported(Consumer<Check> progress) {
            this.progress = progress;
        }

        @Override
        public boolean add(Check c) {
            super.add(c);
            try {
                progress.accept(c);
            } catch (RuntimeException e) {
                LOG.warn("self-test progress listener failed: {}", e.toString()); // the run goes on
            }
            return true;
        }
    }

    private Check framework() {
        boolean active = context.getBundle(0).getState() == Bundle.ACTIVE;
        List<String> missing = REQUIRED.stream().filter(n -> context.getServiceReference(n) == null).toList();
        return SelfTestChecks.framework(active, missing, REQUIRED.size());
    }

    private Check backend() {
        Map<String, HostInfo> backends = new LinkedHashMap<>();
        try {
            var refs = context.getServiceReferences(Hypervisor.class, null);
            for (ServiceReference<Hypervisor> ref : refs) {
                Hypervisor h = context.getService(ref);
                if (h == null) continue;
                try {
                    backends.put(h.id(), h.hostInfo());
                } finally {
                    context.ungetService(ref);
                }
            }
        } catch (org.osgi.framework.InvalidSyntaxException impossible) {
            throw new IllegalStateException(impossible);
        }
        Object configured = withService(Vm.class, vm -> vm.configuration().get("backend"));
        return SelfTestChecks.backend(backends, configured == null ? null : String.valueOf(configured));
    }

    /** Window recorded, verified MATCH, fault-injected copy DIVERGED at its position; each needs the one before. */
    private void guestChecks(List<Check> checks) throws InterruptedException {
        ServiceReference<Vm> vmRef = context.getServiceReference(Vm.class);
        ServiceReference<Sampler> samplerRef = context.getServiceReference(Sampler.class);
        ServiceReference<VerificationService> vRef = context.getServiceReference(VerificationService.class);
        Vm vm = context.getService(vmRef);
        Sampler sampler = context.getService(samplerRef);
        VerificationService verification = context.getService(vRef);
        try {
            String window;
            boolean booted = false;
            try {
                VmState state = vm.state();
                if (state == VmState.PAUSED) {
                    checks.add(new Check(SelfTestChecks.WINDOW, false, "the guest is paused: resume it (pcm:vm resume) or stop it"));
                    return;
                }
                if (state != VmState.RUNNING) {
                    vm.start();
                    booted = true;
                }
                window = sampler.sampleNow(WINDOW_INSTRUCTIONS, WINDOW_TIMEOUT_MILLIS);
            } catch (Exception e) {
                checks.add(new Check(SelfTestChecks.WINDOW, false, "could not record a window: " + e.getMessage()));
                return;
            } finally {
                if (booted) stopGuest(vm);
            }
            Verdict match;
            try {
                match = verification.verify(window, VERIFIER, null);
            } catch (VerificationException e) {
                checks.add(new Check(SelfTestChecks.WINDOW, true, window + " (" + (booted ? "guest booted for it" : "running guest") + ")"));
                checks.add(new Check(SelfTestChecks.MATCH, false, e.getMessage()));
                return;
            }
            checks.add(new Check(SelfTestChecks.WINDOW, true, window + ", " + match.instructions() + " instructions ("
                    + (booted ? "guest booted for it and stopped again" : "on the running guest") + ")"));
            checks.add(SelfTestChecks.match(match));
            if (!checks.getLast().passed()) return;
            checks.add(faultCheck(window, SelfTestChecks.faultPosition(match.instructions())));
        } finally {
            context.ungetService(vmRef);
            context.ungetService(samplerRef);
            context.ungetService(vRef);
        }
    }

    private static void stopGuest(Vm vm) {
        try {
            if (vm.state() == VmState.RUNNING || vm.state() == VmState.PAUSED) vm.stop();
            vm.awaitStop(10_000);
        } catch (Exception e) {
            LOG.warn("self-test: could not stop the guest it booted: {}", e.toString());
        }
    }

    /** A fault-injecting verifier of pcm.tracers, configured for this check only. */
    private Check faultCheck(String window, long position) throws InterruptedException {
        ServiceReference<ConfigurationAdmin> cmRef = context.getServiceReference(ConfigurationAdmin.class);
        ServiceReference<VerificationService> vRef = context.getServiceReference(VerificationService.class);
        ConfigurationAdmin cm = context.getService(cmRef);
        VerificationService verification = context.getService(vRef);
        Configuration cfg = null;
        try {
            cfg = cm.createFactoryConfiguration(SelfTestChecks.FAULT_PID, "?");
            Hashtable<String, Object> props = new Hashtable<>();
            props.put("pcm.rcp.id", SelfTestChecks.FAULT_RCP);
            props.put("target.target", "(pcm.rcp.id=" + VERIFIER + ")");
            props.put("mode", "register");
            props.put("index", -1);
            props.put("mask", SelfTestChecks.FAULT_MASK);
            props.put("position", position);
            cfg.update(props);
            long deadline = System.currentTimeMillis() + VERIFIER_WAIT_MILLIS;
            while (true) {
                try {
                    return SelfTestChecks.fault(verification.verify(window, SelfTestChecks.FAULT_RCP, null));
                } catch (VerificationException e) {
                    // the verifier comes when Config Admin and SCR have done their work (asynchronously)
                    if (!e.getMessage().startsWith("no verifier") || System.currentTimeMillis() > deadline)
                        return new Check(SelfTestChecks.FAULT, false, "fault injection unavailable (pcm.tracers): " + e.getMessage());
                    Thread.sleep(50);
                }
            }
        } catch (IOException e) {
            return new Check(SelfTestChecks.FAULT, false, "could not configure the fault injector: " + e.getMessage());
        } finally {
            if (cfg != null) {
                try {
                    cfg.delete();
                } catch (IOException | IllegalStateException e) {
                    LOG.warn("self-test: could not remove its fault injector configuration: {}", e.toString());
                }
            }
            context.ungetService(cmRef);
            context.ungetService(vRef);
        }
    }

    /** {@code <data>/selftest/selftest-<UTC time>.json}; null (and a warning) when it cannot be written. */
    private String store(SelfTestReport report) {
        String data = context.getProperty("pcm.data");
        if (data == null) return null;
        try {
            Path file = write(Path.of(data), report);
            return file.toString();
        } catch (IOException e) {
            LOG.warn("self-test: could not keep the report under {}: {}", data, e.toString());
            return null;
        }
    }

    static Path write(Path dataDir, SelfTestReport report) throws IOException {
        Path dir = Files.createDirectories(dataDir.resolve("selftest"));
        Path file = dir.resolve("selftest-" + FILE_TIME.format(report.started()) + ".json");
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("started", report.started().toString());
        json.put("passed", report.passed());
        json.put("checks", report.checks().stream().map(c -> Map.of("name", c.name(), "passed", c.passed(), "detail", c.detail())).toList());
        new ObjectMapper().writerWithDefaultPrettyPrinter().writeValue(file.toFile(), json);
        return file;
    }

    private <S, R> R withService(Class<S> type, java.util.function.Function<S, R> f) {
        ServiceReference<S> ref = context.getServiceReference(type);
        S s = ref == null ? null : context.getService(ref);
        if (s == null) return null;
        try {
            return f.apply(s);
        } finally {
            context.ungetService(ref);
        }
    }
}
