package pcm.ui.internal.firmware;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleException;
import org.osgi.framework.FrameworkUtil;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.component.ComponentContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;
import org.osgi.service.component.annotations.ServiceScope;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.core.api.bus.StatefulDevice;
import pcm.core.api.vm.Vm;
import pcm.core.api.vm.VmState;
import pcm.ui.api.firmware.Firmware;
import pcm.ui.api.firmware.FirmwareException;
import pcm.ui.api.firmware.FirmwareException.Kind;
import pcm.ui.api.firmware.FirmwareImage;
import pcm.trust.api.BundleTrust;
import pcm.trust.api.UntrustedBundleException;
import pcm.ui.internal.commands.Bundles;

/**
 * The {@link Firmware} service: bundle updates through the framework's own {@code Bundle.update(InputStream)} and
 * {@code FrameworkWiring.refreshBundles}, checked before ({@link JarImage}; the guest guard) and after (resolved,
 * started), with the replaced version kept in {@link FirmwareStore} and put back when the new one fails. Under the
 * signing policy ({@link BundleTrust}, pcm.trust) every image is checked for a trusted signature before anything changes.
 */
@Component(service = Firmware.class, configurationPid = FirmwareService.PID, scope = ServiceScope.BUNDLE)
@Designate(ocd = FirmwareConfig.class)
public final class FirmwareService implements Firmware {

    static final String PID = "pcm.firmware";
    private static final Logger LOG = LoggerFactory.getLogger(FirmwareService.class);

    private final BundleContext context;
    private final FirmwareStore store;
    private final long maxImageBytes;
    private final long refreshMillis;
    private final GuestGuard guard;
    /** The bundle using this instance (a service per bundle): it may not replace itself in the middle of its own call. */
    private final Bundle caller;
    /** One change at a time, whoever asks (the shell and the API each have an instance). */
    private static final Object CHANGING = new Object();

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile Vm vm;

    /** The signing policy; without it images are taken unchecked, unless the variant requires signatures (then: refused). */
    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile BundleTrust trust;

    @Activate
    public FirmwareService(BundleContext context, FirmwareConfig config, ComponentContext component) {
        String data = context.getProperty("pcm.data");
        this.context = context;
        this.store = new FirmwareStore(Path.of(data == null ? "pcm-data" : data).resolve("firmware"));
        this.maxImageBytes = config.maxImageBytes();
        this.refreshMillis = config.refreshMillis();
        this.guard = this::guestRefusal;
        this.caller = component.getUsingBundle();
    }

    FirmwareService(BundleContext context, Path firmwareDir, long maxImageBytes, long refreshMillis, GuestGuard guard) {
        this.context = context;
        this.store = new FirmwareStore(firmwareDir);
        this.maxImageBytes = maxImageBytes;
        this.refreshMillis = refreshMillis;
        this.guard = guard;
        this.caller = null;
    }

    @Override
    public long maxImageBytes() {
        return maxImageBytes;
    }

    @Override
    public List<FirmwareImage> inventory() {
        List<FirmwareImage> out = new ArrayList<>();
        for (Bundle b : context.getBundles()) if (b.getBundleId() != 0) out.add(image(b));
        try {
            for (String bsn : store.withPrevious()) {
                Optional<byte[]> jar = store.previous(bsn);
                if (jar.isEmpty()) continue;
                try {
                    JarImage p = JarImage.check(jar.get());
                    out.add(new FirmwareImage(bsn, p.version().toString(), false, -1, "PREVIOUS", store.previousFile(bsn).toString()));
                } catch (FirmwareException e) {
                    LOG.warn("the previous version of {} kept in {} is damaged: {}", bsn, store.previousFile(bsn), e.getMessage());
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot list the previous versions kept: {}", e.toString());
        }
        out.sort(Comparator.comparing(FirmwareImage::symbolicName).thenComparing(i -> !i.active()));
        return out;
    }

    private interface Change<T> {
        T apply() throws FirmwareException;
    }

    /**
     * Runs one change on a thread of its own, one change at a time. The caller's thread is often an HTTP worker, and a
     * worker can carry an interrupt (a request before it was interrupted and restored the flag, as it should): Felix
     * then gives up waiting for its global lock while another thread resolves, and the update failed with "Unable to
     * acquire global lock for resolve" (stop 22's CI, FirmwareUpdateIT). A change half applied cannot be abandoned
     * either, so the caller waits for its end even when interrupted, and gets its interrupt back afterwards.
     */
    private static <T> T change(Change<T> c) throws FirmwareException {
        Object[] result = new Object[1];
        Thread worker = Thread.ofPlatform().name("pcm-firmware-change").unstarted(() -> {
            synchronized (CHANGING) {
                try {
                    result[0] = c.apply();
                } catch (FirmwareException | RuntimeException | Error e) {
                    result[0] = e;
                }
            }
        });
        worker.start();
        boolean interrupted = false;
        while (true) {
            try {
                worker.join();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
        switch (result[0]) {
            case FirmwareException e -> throw e;
            case RuntimeException e -> throw e;
            case Error e -> throw e;
            case null -> throw new FirmwareException(Kind.FAILED, "the change ended without a result");
            default -> {
                @SuppressWarnings("unchecked")
                T done = (T) result[0];
                return done;
            }
        }
    }

    static FirmwareImage image(Bundle b) {
        return new FirmwareImage(b.getSymbolicName(), b.getVersion().toString(), true, b.getBundleId(), Bundles.state(b), b.getLocation());
    }

    @Override
    public FirmwareImage install(byte[] jar) throws FirmwareException {
        return change(() -> installNow(jar));
    }

    private FirmwareImage installNow(byte[] jar) throws FirmwareException {
        if (jar != null && jar.length > maxImageBytes)
            throw new FirmwareException(Kind.TOO_LARGE, "the image has " + jar.length + " bytes, more than " + maxImageBytes + " (pcm.firmware maxImageBytes)");
        JarImage image = JarImage.check(jar);
        trusted("the image of " + image.symbolicName() + " " + image.version(), jar);
        Optional<Bundle> existing = active(image.symbolicName());
        return existing.isPresent() ? replace(existing.get(), image, true) : installNew(image);
    }

    /** Refuses an image the signing policy does not take, before anything changes. */
    private void trusted(String name, byte[] jar) throws FirmwareException {
        BundleTrust t = trust;
        if (t == null) {
            if (Boolean.parseBoolean(context.getProperty("pcm.trust.requireSigned")))
                throw new FirmwareException(Kind.UNTRUSTED, name + ": signed bundles are required, but the signing policy (pcm.trust) is not"
                        + " available; nothing installed");
            return;
        }
        try {
            t.check(name, jar);
        } catch (UntrustedBundleException e) {
            throw new FirmwareException(Kind.UNTRUSTED, e.getMessage() + "; nothing installed", e);
        }
    }

    @Override
    public List<FirmwareImage> installSet(Map<String, byte[]> jars) throws FirmwareException {
        return change(() -> installSetNow(jars));
    }

    /** One undo step of a set being applied. */
    private interface Undo {
        void run() throws FirmwareException, IOException;
    }

    /**
     * Every image is checked (size, manifest, signature, duplicates) and every bundle it replaces is checked against the
     * guest guard before the first change; a change that fails puts back the set's earlier changes, newest first.
     */
    private List<FirmwareImage> installSetNow(Map<String, byte[]> jars) throws FirmwareException {
        if (jars == null || jars.isEmpty()) throw new FirmwareException(Kind.MALFORMED, "the update set is empty; nothing installed");
        List<JarImage> images = new ArrayList<>();
        List<String> names = new ArrayList<>();
        Set<String> symbolicNames = new LinkedHashSet<>();
        for (Map.Entry<String, byte[]> e : jars.entrySet()) {
            String name = e.getKey();
            byte[] jar = e.getValue();
            if (jar != null && jar.length > maxImageBytes)
                throw new FirmwareException(Kind.TOO_LARGE, name + " has " + jar.length + " bytes, more than " + maxImageBytes
                        + " (pcm.firmware maxImageBytes); nothing of the set installed");
            JarImage image;
            try {
                image = JarImage.check(jar);
            } catch (FirmwareException m) {
                throw new FirmwareException(m.kind(), name + ": " + m.getMessage() + " of the set", m);
            }
            if (!symbolicNames.add(image.symbolicName()))
                throw new FirmwareException(Kind.MALFORMED, name + " holds " + image.symbolicName() + " a second time in the set; nothing installed");
            try {
                trusted(name, jar);
            } catch (FirmwareException u) {
                throw new FirmwareException(u.kind(), u.getMessage() + " of the set: the running set is unchanged", u);
            }
            images.add(image);
            names.add(name);
        }
        for (JarImage image : images) {
            Optional<Bundle> b = active(image.symbolicName());
            if (b.isPresent()) refuseUntouchable(b.get());
        }
        List<FirmwareImage> out = new ArrayList<>();
        List<Undo> undo = new ArrayList<>();
        int i = 0;
        try {
            for (; i < images.size(); i++) {
                JarImage image = images.get(i);
                Optional<Bundle> existing = active(image.symbolicName());
                if (existing.isPresent()) {
                    Bundle b = existing.get();
                    byte[] before = BundleJar.of(b);
                    Optional<byte[]> keptBefore = store.previous(b.getSymbolicName());
                    boolean wasActive = b.getState() == Bundle.ACTIVE || b.getState() == Bundle.STARTING;
                    out.add(replace(b, image, true));
                    undo.add(() -> {
                        apply(b, before, wasActive);
                        if (keptBefore.isPresent()) store.keepPrevious(b.getSymbolicName(), keptBefore.get());
                        else store.forget(b.getSymbolicName());
                    });
                } else {
                    FirmwareImage now = installNew(image);
                    out.add(now);
                    undo.add(() -> {
                        Bundle b = context.getBundle(now.bundleId());
                        if (b != null) uninstall(b);
                        deleteQuietly(store.installFile(image.symbolicName(), image.version().toString()));
                    });
                }
            }
        } catch (FirmwareException | IOException failed) {
            for (int u = undo.size() - 1; u >= 0; u--) {
                try {
                    undo.get(u).run();
                } catch (FirmwareException | IOException worse) {
                    LOG.error("firmware: putting back the set after {} failed: {}", names.get(i), worse.toString());
                    throw new FirmwareException(Kind.FAILED, names.get(i) + ": " + failed.getMessage() + "; putting back the set's earlier changes"
                            + " failed too: " + worse.getMessage(), failed);
                }
            }
            Kind kind = failed instanceof FirmwareException f ? f.kind() : Kind.FAILED;
            throw new FirmwareException(kind, names.get(i) + ": " + failed.getMessage() + "; the set's earlier changes were put back", failed);
        }
        LOG.info("firmware: set of {} applied: {}", out.size(), symbolicNames);
        return out;
    }

    @Override
    public FirmwareImage rollback(String symbolicName) throws FirmwareException {
        return change(() -> rollbackNow(symbolicName));
    }

    private FirmwareImage rollbackNow(String symbolicName) throws FirmwareException {
        Optional<Bundle> b = active(symbolicName);
        if (b.isEmpty()) throw new FirmwareException(Kind.NOT_FOUND, "no bundle " + symbolicName + " is installed");
        byte[] previous;
        try {
            previous = store.previous(symbolicName).orElse(null);
        } catch (IOException e) {
            throw new FirmwareException(Kind.FAILED, "cannot read the previous version of " + symbolicName + ": " + e, e);
        }
        if (previous == null && store.installedNew(symbolicName)) return uninstall(b.get());
        if (previous == null) throw new FirmwareException(Kind.NOT_FOUND, "no previous version of " + symbolicName
                + " is kept (it was not updated through the firmware service)");
        FirmwareImage now = replace(b.get(), JarImage.check(previous), true);
        LOG.warn("firmware: {} rolled back to {}", symbolicName, now.version());
        return now;
    }

    @Override
    public FirmwareImage reread(long bundleId) throws FirmwareException {
        return change(() -> rereadNow(bundleId));
    }

    private FirmwareImage rereadNow(long bundleId) throws FirmwareException {
        Bundle b = context.getBundle(bundleId);
        if (b == null || bundleId == 0) throw new FirmwareException(Kind.NOT_FOUND, "no bundle " + bundleId + " (lb lists them)");
        byte[] jar = source(b);
        JarImage image = JarImage.check(jar);
        // the runnable jar's own bundles are the installation (read-only, the trust root); anything else is checked
        if (!fromRunnableJar(b.getLocation())) trusted(b.getLocation(), jar);
        if (!image.symbolicName().equals(b.getSymbolicName()))
            throw new FirmwareException(Kind.REFUSED, "bundle " + bundleId + " is " + b.getSymbolicName() + ", but " + b.getLocation()
                    + " now holds " + image.symbolicName() + "; nothing changed");
        return replace(b, image, true);
    }

    /** The bytes at the bundle's location: a URL, a jar/... entry of the runnable jar (bnd launcher), or a file. */
    static byte[] source(Bundle b) throws FirmwareException {
        String location = b.getLocation();
        try {
            URI uri = new URI(location);
            if (uri.getScheme() != null && uri.getScheme().length() > 1) {
                try (InputStream in = uri.toURL().openStream()) {
                    return in.readAllBytes();
                }
            }
        } catch (URISyntaxException | IllegalArgumentException e) {
            // not a URI: a path below
        } catch (IOException e) {
            throw new FirmwareException(Kind.FAILED, "cannot read " + location + ": " + e, e);
        }
        for (ClassLoader loader : new ClassLoader[] {ClassLoader.getSystemClassLoader(), Bundle.class.getClassLoader()}) {
            if (loader == null) continue;
            try (InputStream in = loader.getResourceAsStream(location)) {
                if (in != null) return in.readAllBytes();
            } catch (IOException e) {
                throw new FirmwareException(Kind.FAILED, "cannot read " + location + " from the runnable jar: " + e, e);
            }
        }
        try {
            Path p = Path.of(location);
            if (Files.isRegularFile(p)) return Files.readAllBytes(p);
        } catch (IOException | RuntimeException e) {
            // not a readable path either
        }
        throw new FirmwareException(Kind.NOT_FOUND, "bundle " + b.getBundleId() + " (" + b.getSymbolicName() + ") came from '" + location
                + "', which is neither a URL, an entry of the runnable jar nor a file: give the jar's URL (update " + b.getBundleId()
                + " file:/path/to.jar)");
    }

    /** A location that is neither a URL nor a file: an entry of the runnable jar (the bnd launcher's {@code jar/...}). */
    static boolean fromRunnableJar(String location) {
        try {
            URI uri = new URI(location);
            if (uri.getScheme() != null && uri.getScheme().length() > 1) return false;
        } catch (URISyntaxException | IllegalArgumentException e) {
            // not a URI
        }
        try {
            return !Files.isRegularFile(Path.of(location));
        } catch (RuntimeException e) {
            return true;
        }
    }

    private Optional<Bundle> active(String symbolicName) {
        Bundle best = null;
        for (Bundle b : context.getBundles())
            if (symbolicName.equals(b.getSymbolicName()) && (best == null || b.getVersion().compareTo(best.getVersion()) > 0)) best = b;
        return Optional.ofNullable(best);
    }

    private FrameworkWiring wiring() {
        return context.getBundle(0).adapt(FrameworkWiring.class);
    }

    private void refuseUntouchable(Bundle b) throws FirmwareException {
        if (b.getBundleId() == 0) throw new FirmwareException(Kind.REFUSED, "the framework itself cannot be updated here");
        if (b.equals(FrameworkUtil.getBundle(FirmwareService.class)) || b.equals(caller))
            throw new FirmwareException(Kind.REFUSED, b.getSymbolicName() + " serves this request (" + (b.equals(caller)
                    ? "it asked for the change" : "it holds the firmware service") + ") and cannot replace itself in the middle of it: "
                    + "update it through " + (b.equals(caller) ? "the shell's update" : "the API's UpdateService") + ", or with the runnable jar");
        Collection<Bundle> affected = wiring().getDependencyClosure(Set.of(b));
        String refusal = guard.refusal(affected);
        if (refusal != null) throw new FirmwareException(Kind.REFUSED, "updating " + b.getSymbolicName() + " " + refusal + "; nothing changed");
    }

    /** Replaces the bundle's content; on failure the content before is put back. The replaced version is kept for a rollback. */
    private FirmwareImage replace(Bundle b, JarImage image, boolean keep) throws FirmwareException {
        refuseUntouchable(b);
        byte[] before;
        try {
            before = BundleJar.of(b);
        } catch (IOException e) {
            throw new FirmwareException(Kind.FAILED, "cannot keep the version of " + b.getSymbolicName() + " installed now: " + e
                    + "; nothing changed", e);
        }
        String from = b.getVersion().toString();
        boolean wasActive = b.getState() == Bundle.ACTIVE || b.getState() == Bundle.STARTING;
        try {
            apply(b, image.bytes(), wasActive && !image.fragment());
        } catch (FirmwareException failed) {
            try {
                apply(b, before, wasActive);
                LOG.warn("firmware: {} {} refused ({}); {} is active again", image.symbolicName(), image.version(), failed.getMessage(), from);
            } catch (FirmwareException worse) {
                LOG.error("firmware: {} {} refused and {} could not be put back: {}", image.symbolicName(), image.version(), from,
                        worse.getMessage());
                throw new FirmwareException(Kind.FAILED, failed.getMessage() + "; putting back " + from + " failed too: " + worse.getMessage(), failed);
            }
            throw new FirmwareException(failed.kind(), failed.getMessage() + "; " + b.getSymbolicName() + " " + from + " is active again", failed);
        }
        if (keep) {
            try {
                store.keepPrevious(b.getSymbolicName(), before);
            } catch (IOException e) {
                LOG.warn("firmware: {} updated, but the version replaced could not be kept for a rollback: {}", b.getSymbolicName(), e.toString());
            }
        }
        LOG.info("firmware: {} {} -> {} (bundle {})", b.getSymbolicName(), from, b.getVersion(), b.getBundleId());
        return image(b);
    }

    /** update, refresh what depends on it, resolve, start: the new content active, or a typed failure. */
    private void apply(Bundle b, byte[] jar, boolean start) throws FirmwareException {
        try {
            b.update(new ByteArrayInputStream(jar));
        } catch (BundleException e) {
            throw failure(b.getSymbolicName(), e);
        }
        refresh(Set.of(b));
        if (!wiring().resolveBundles(Set.of(b))) throw new FirmwareException(Kind.NOT_RESOLVABLE, b.getSymbolicName() + " " + b.getVersion()
                + " cannot be resolved: " + unresolved(b));
        if (start && b.getState() != Bundle.ACTIVE) {
            try {
                b.start();
            } catch (BundleException e) {
                throw new FirmwareException(Kind.NOT_RESOLVABLE, b.getSymbolicName() + " " + b.getVersion() + " does not start: " + e.getMessage(), e);
            }
        }
    }

    private static FirmwareException failure(String name, BundleException e) {
        Kind kind = switch (e.getType()) {
            case BundleException.MANIFEST_ERROR, BundleException.UNSUPPORTED_OPERATION -> Kind.MALFORMED;
            case BundleException.RESOLVE_ERROR -> Kind.NOT_RESOLVABLE;
            case BundleException.DUPLICATE_BUNDLE_ERROR -> Kind.REFUSED;
            default -> Kind.FAILED;
        };
        return new FirmwareException(kind, name + ": " + e.getMessage(), e);
    }

    /** The framework's own reason (a missing requirement), which start() gives for a bundle that cannot resolve. */
    private static String unresolved(Bundle b) {
        if (b.getHeaders().get("Fragment-Host") != null) return "its host is missing or does not accept it";
        try {
            b.start(Bundle.START_TRANSIENT);
            return "unknown (it started)";
        } catch (BundleException e) {
            return e.getMessage();
        }
    }

    private void refresh(Collection<Bundle> bundles) throws FirmwareException {
        CountDownLatch done = new CountDownLatch(1);
        wiring().refreshBundles(bundles, event -> done.countDown());
        try {
            if (!done.await(refreshMillis, TimeUnit.MILLISECONDS))
                throw new FirmwareException(Kind.FAILED, "the framework did not finish rewiring within " + refreshMillis + " ms");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FirmwareException(Kind.FAILED, "interrupted while the framework rewired", e);
        }
    }

    private FirmwareImage installNew(JarImage image) throws FirmwareException {
        Path file = store.installFile(image.symbolicName(), image.version().toString());
        Bundle b;
        try {
            store.write(file, image.bytes());
            b = context.installBundle(file.toUri().toString(), new ByteArrayInputStream(image.bytes()));
        } catch (IOException e) {
            throw new FirmwareException(Kind.FAILED, "cannot keep " + file + ": " + e, e);
        } catch (BundleException e) {
            deleteQuietly(file);
            throw failure(image.symbolicName(), e);
        }
        try {
            if (!wiring().resolveBundles(Set.of(b))) throw new FirmwareException(Kind.NOT_RESOLVABLE, image.symbolicName() + " "
                    + image.version() + " cannot be resolved: " + unresolved(b));
            if (!image.fragment()) {
                try {
                    b.start();
                } catch (BundleException e) {
                    throw new FirmwareException(Kind.NOT_RESOLVABLE, image.symbolicName() + " " + image.version() + " does not start: "
                            + e.getMessage(), e);
                }
            }
            store.markInstalled(image.symbolicName());
        } catch (FirmwareException | IOException e) {
            try {
                b.uninstall();
            } catch (BundleException | IllegalStateException ignored) {
                // already gone
            }
            deleteQuietly(file);
            if (e instanceof FirmwareException f) throw new FirmwareException(f.kind(), f.getMessage() + "; nothing installed", f);
            throw new FirmwareException(Kind.FAILED, "cannot mark " + image.symbolicName() + " installed: " + e, e);
        }
        LOG.info("firmware: {} {} installed (bundle {})", image.symbolicName(), image.version(), b.getBundleId());
        return image(b);
    }

    private FirmwareImage uninstall(Bundle b) throws FirmwareException {
        refuseUntouchable(b);
        FirmwareImage was = image(b);
        try {
            b.uninstall();
            refresh(Set.of(b));
            store.forget(was.symbolicName());
        } catch (BundleException | IOException e) {
            throw new FirmwareException(Kind.FAILED, "cannot uninstall " + was.symbolicName() + ": " + e, e);
        }
        LOG.warn("firmware: {} {} rolled back: uninstalled (it was installed new)", was.symbolicName(), was.version());
        return new FirmwareImage(was.symbolicName(), was.version(), false, was.bundleId(), "UNINSTALLED", was.location());
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a stale jar in firmware/ is harmless
        }
    }

    /**
     * Refuses when the bundles an update restarts include the VM's bundle, or one whose services the VM's bundle uses
     * (its vCPU backend, interrupt controllers, ...), while a guest runs or is paused. A stateful device
     * ({@link StatefulDevice}) is the exception: the bus hands its state to the successor and holds the guest's
     * accesses meanwhile, so it is meant to be replaced while the guest runs (issue 14 item 5).
     */
    private String guestRefusal(Collection<Bundle> affected) {
        Vm v = vm;
        if (v == null) return null;
        VmState state = v.state();
        if (state != VmState.RUNNING && state != VmState.PAUSED) return null;
        Bundle vmBundle = FrameworkUtil.getBundle(v.getClass());
        for (Bundle b : affected) {
            if (b.equals(vmBundle)) return "restarts " + b.getSymbolicName() + ", which runs the guest (VM " + state + "): stop the guest first";
            ServiceReference<?>[] services = b.getRegisteredServices();
            if (services == null) continue;
            for (ServiceReference<?> ref : services) {
                Bundle[] users = ref.getUsingBundles();
                if (users != null && List.of(users).contains(vmBundle) && !handedOver(ref) && !pluggable(ref))
                    return "restarts " + b.getSymbolicName() + ", whose services " + vmBundle.getSymbolicName()
                            + " uses while the guest runs (VM " + state + "): stop the guest first";
            }
        }
        return null;
    }

    /** Whether the service is a device whose state the bus carries over to its successor. */
    /**
     * The kernel's plug-in interfaces made to come and go while a guest runs: it verifies with the verifiers and
     * strategies present (a window waits for a configured verifier that is away), arms the tracers present, and answers
     * an exit whose handler left with its fallback. Swapping their bundles is what vendors do on a running machine
     * (issue 12: the hot swap of a verifier); before, any service pcm.core used blocked the update of its bundle.
     */
    static final Set<String> PLUGGABLE = Set.of(
            "pcm.core.api.verify.ReplayVerifier",
            "pcm.core.api.verify.ReplayStrategy",
            "pcm.core.api.verify.VerdictListener",
            "pcm.core.api.sampling.WindowListener",
            "pcm.core.api.tracer.Tracer",
            "pcm.core.api.exit.ExitHandler",
            "pcm.core.api.vm.ConsoleListener");

    /** Whether every interface the service is registered under is one the guest does not depend on. */
    static boolean pluggable(String[] objectClasses) {
        if (objectClasses == null || objectClasses.length == 0) return false;
        for (String c : objectClasses) if (!PLUGGABLE.contains(c)) return false;
        return true;
    }

    private static boolean pluggable(ServiceReference<?> ref) {
        return ref.getProperty(org.osgi.framework.Constants.OBJECTCLASS) instanceof String[] classes && pluggable(classes);
    }

    private boolean handedOver(ServiceReference<?> ref) {
        Object service = context.getService(ref);
        try {
            return service instanceof StatefulDevice;
        } finally {
            if (service != null) context.ungetService(ref);
        }
    }
}
