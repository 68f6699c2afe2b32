package pcm.itests;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertNotNull;
import static org.junit.Assert.assertTrue;
import static org.junit.Assert.fail;

import static org.ops4j.pax.exam.CoreOptions.frameworkProperty;
import static org.ops4j.pax.exam.CoreOptions.junitBundles;
import static org.ops4j.pax.exam.CoreOptions.options;
import static org.ops4j.pax.exam.CoreOptions.systemProperty;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

import javax.inject.Inject;

import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.CoreOptions;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

import pcm.core.api.exit.ExitContext;
import pcm.core.api.exit.ExitDispatcher;
import pcm.core.api.exit.ExitDispatcher.Dispatch;
import pcm.core.api.exit.ExitHandler;
import pcm.core.api.exit.ExitResult;
import pcm.core.api.memory.GuestMemory;
import pcm.core.api.vm.ExitKind;
import pcm.core.api.vm.VmExit;

/**
 * The exit-handler whiteboard in a real framework: handler bundles installed, uninstalled and
 * dropped into FileInstall's directory while the kernel's dispatcher keeps dispatching.
 * Exits are synthetic port reads (port 0x510, which no device claims: the kernel's default
 * answers all ones) fed to the {@link ExitDispatcher} service.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class ExitDispatchIT {

    static final String HANDLER_BSN = "pcm.itests.handler";
    static final String THROWING_BSN = "pcm.itests.throwing";
    static final String BLOCKING_BSN = "pcm.itests.blocking";
    /** The dispatcher's hard limit for plug-in handlers, configured through deploy/pcm.dispatch.cfg. */
    static final long HARD_LIMIT_MS = 500;
    /** pcm.itests.handler answers this (FixedValueHandler.VALUE). */
    static final long HANDLER_VALUE = 0xCAFEL;
    static final VmExit PORT_READ = new VmExit.PortIn(0x510, 1);
    static final ExitResult DEFAULT_READ = ExitResult.value(0xFF);
    static final long TIMEOUT_MS = 20_000;

    @Inject
    BundleContext context;

    @Inject
    ExitDispatcher dispatcher;

    @Configuration
    public Option[] config() throws IOException {
        Path work = Path.of(System.getProperty("pcm.itest.workdir", "target/itest"));
        Path deploy = work.resolve("deploy");
        deleteTree(deploy);
        Files.createDirectories(deploy);
        return options(
            // SPI Fly and ASM before SLF4J is used, as in runconfigs/pcm.bndrun
            file("b.spifly").startLevel(1), file("b.asm").startLevel(1), file("b.asm.commons").startLevel(1),
            file("b.asm.tree").startLevel(1), file("b.asm.analysis").startLevel(1), file("b.asm.util").startLevel(1),
            file("b.slf4j.api").startLevel(1), file("b.slf4j.simple").startLevel(1),
            file("b.promise"), file("b.function"), file("b.component"), file("b.scr"),
            file("b.configadmin"), file("b.fileinstall"),
            file("b.pcm.core"),
            junitBundles(),
            frameworkProperty("felix.fileinstall.dir").value(deploy.toAbsolutePath().toString()),
            frameworkProperty("felix.fileinstall.poll").value("200"),
            frameworkProperty("felix.fileinstall.noInitialDelay").value("true"),
            frameworkProperty("felix.fileinstall.log.level").value("2"),
            systemProperty("org.slf4j.simpleLogger.defaultLogLevel").value("warn"),
            systemProperty("pcm.itest.deploy").value(deploy.toAbsolutePath().toString()));
    }

    private static org.ops4j.pax.exam.options.UrlProvisionOption file(String property) {
        String path = System.getProperty(property);
        if (path == null || path.isEmpty() || path.startsWith("${"))
            throw new IllegalStateException("system property " + property + " (bundle path) not set; run through Maven");
        return CoreOptions.bundle(new File(path).toURI().toString());
    }

    // ---------------------------------------------------------------- tests

    @Test
    public void withoutVendorHandlerTheKernelDefaultAnswers() {
        awaitNoHandlerFrom(HANDLER_BSN);
        Dispatch d = dispatcher.dispatch(PORT_READ, CONTEXT);
        assertEquals(ExitDispatcher.DEFAULT, d.handledBy());
        assertEquals(DEFAULT_READ, d.result());
    }

    /** (a) a handler bundle installed at run time takes the exits of its kind; (b) uninstalling hands them back. */
    @Test
    public void installedHandlerTakesOverAndUninstallHandsBack() throws Exception {
        Bundle b = context.installBundle(new File(System.getProperty("b.handler")).toURI().toString());
        try {
            b.start();
            long serviceId = awaitHandlerService(HANDLER_BSN);
            String expected = HANDLER_BSN + "#" + serviceId;
            await(() -> dispatcher.handlers(ExitKind.PIO_IN).stream().anyMatch(h -> h.startsWith(expected)),
                "dispatcher lists " + expected + " for PIO_IN: " + dispatcher.handlers(ExitKind.PIO_IN));
            assertTrue("ranked first: " + dispatcher.handlers(ExitKind.PIO_IN),
                dispatcher.handlers(ExitKind.PIO_IN).get(0).startsWith(expected));

            Dispatch d = dispatcher.dispatch(PORT_READ, CONTEXT);
            assertEquals(expected, d.handledBy());
            assertEquals(ExitResult.value(HANDLER_VALUE), d.result());
            // other kinds are not its business
            assertEquals(ExitDispatcher.DEFAULT, dispatcher.dispatch(new VmExit.Hlt(true), CONTEXT).handledBy());
        } finally {
            b.uninstall();
        }
        awaitNoHandlerFrom(HANDLER_BSN);
        Dispatch d = dispatcher.dispatch(PORT_READ, CONTEXT);
        assertEquals(ExitDispatcher.DEFAULT, d.handledBy());
        assertEquals(DEFAULT_READ, d.result());
    }

    /** (c) a bundle dropped into FileInstall's deploy directory is picked up, and removed with the file. */
    @Test
    public void bundleDroppedIntoDeployDirIsPickedUp() throws Exception {
        Path deploy = Path.of(System.getProperty("pcm.itest.deploy"));
        Path dropped = deploy.resolve("pcm.itests.handler.jar");
        Files.copy(Path.of(System.getProperty("b.handler")), dropped, StandardCopyOption.REPLACE_EXISTING);
        try {
            long serviceId = awaitHandlerService(HANDLER_BSN);
            Bundle b = bundle(HANDLER_BSN);
            assertNotNull(b);
            assertTrue("installed by FileInstall from " + b.getLocation(), b.getLocation().contains(deploy.getFileName().toString()));
            String expected = HANDLER_BSN + "#" + serviceId;
            await(() -> expected.equals(dispatcher.dispatch(PORT_READ, CONTEXT).handledBy()),
                "the dropped handler takes port reads");
            assertEquals(ExitResult.value(HANDLER_VALUE), dispatcher.dispatch(PORT_READ, CONTEXT).result());
        } finally {
            Files.deleteIfExists(dropped);
        }
        await(() -> bundle(HANDLER_BSN) == null, "FileInstall uninstalls the bundle when its file is deleted");
        assertEquals(ExitDispatcher.DEFAULT, dispatcher.dispatch(PORT_READ, CONTEXT).handledBy());
    }

    /** (d) a throwing handler does not stop dispatch: the default applies, counters show it, next dispatches work. */
    @Test
    public void throwingHandlerDoesNotStopDispatch() throws Exception {
        Bundle b = context.installBundle(new File(System.getProperty("b.throwing")).toURI().toString());
        try {
            b.start();
            long serviceId = awaitHandlerService(THROWING_BSN);
            String thrower = THROWING_BSN + "#" + serviceId;
            await(() -> dispatcher.handlers(ExitKind.PIO_IN).stream().anyMatch(h -> h.startsWith(thrower)),
                "dispatcher lists " + thrower);

            long failures = count(dispatcher.failures().get(ExitKind.PIO_IN));
            long dispatched = count(dispatcher.dispatched().get(ExitKind.PIO_IN));
            for (int i = 1; i <= 3; i++) {
                Dispatch d = dispatcher.dispatch(PORT_READ, CONTEXT); // must not throw
                assertEquals(ExitDispatcher.DEFAULT, d.handledBy());
                assertEquals(DEFAULT_READ, d.result());
                assertEquals(failures + i, count(dispatcher.failures().get(ExitKind.PIO_IN)));
                assertEquals(dispatched + i, count(dispatcher.dispatched().get(ExitKind.PIO_IN)));
            }
            // the other kinds are unaffected
            assertEquals(ExitResult.done(), dispatcher.dispatch(new VmExit.PortOut(0x510, 1, 7), CONTEXT).result());
        } finally {
            b.uninstall();
        }
        awaitNoHandlerFrom(THROWING_BSN);
        long failures = count(dispatcher.failures().get(ExitKind.PIO_IN));
        assertEquals(DEFAULT_READ, dispatcher.dispatch(PORT_READ, CONTEXT).result());
        assertEquals("no failure once the thrower is gone", failures, count(dispatcher.failures().get(ExitKind.PIO_IN)));
    }

    /**
     * (e) issue 11 item 7: a drop-in handler that never answers does not freeze the guest (a vCPU
     * dispatching port reads keeps going: each exit is answered by the fallback after the hard limit at
     * most, then at once), is named (quarantined, with bundle, version, service id and exit kind), and
     * removing its jar does not wedge FileInstall: a handler dropped in afterwards is installed and
     * removed as usual. Before the fix the first dispatch never returned, and the removal wedged
     * FileInstall in RankedHandler.retireAndDrain.
     */
    @Test
    public void blockingDropInDoesNotFreezeTheGuestIsNamedAndItsRemovalDoesNotWedgeInstalls() throws Exception {
        Path deploy = Path.of(System.getProperty("pcm.itest.deploy"));
        Path dropped = deploy.resolve("pcm.itests.blocking.jar");
        Files.copy(Path.of(System.getProperty("b.blocking")), dropped, StandardCopyOption.REPLACE_EXISTING);
        String label;
        // configured as an operator would: a .cfg file FileInstall hands to Config Admin (metatype pcm.dispatch),
        // moved in whole (FileInstall must not read it half written); DS shows it in the service's properties
        Path cfg = Files.writeString(deploy.resolveSibling("pcm.dispatch.cfg"),
            "budgetMillis=100\nhardLimitMillis=" + HARD_LIMIT_MS + "\nunregisterWaitMillis=1000\n");
        Files.move(cfg, deploy.resolve("pcm.dispatch.cfg"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        await(() -> String.valueOf(HARD_LIMIT_MS).equals(String.valueOf(
                context.getServiceReference(ExitDispatcher.class).getProperty("hardLimitMillis"))),
            "the dispatcher has its configuration from pcm.dispatch.cfg: " + dispatcherProperties());
        try {
            long serviceId = awaitHandlerService(BLOCKING_BSN);
            Bundle b = bundle(BLOCKING_BSN);
            assertNotNull(b);
            label = BLOCKING_BSN + " " + b.getVersion() + " #" + serviceId;
            String name = BLOCKING_BSN + "#" + serviceId;
            await(() -> dispatcher.handlers(ExitKind.PIO_IN).stream().anyMatch(h -> h.startsWith(name)),
                "dispatcher lists " + name + " for PIO_IN: " + dispatcher.handlers(ExitKind.PIO_IN));

            long timeouts = count(dispatcher.timeouts().get(ExitKind.PIO_IN));
            long fallbacks = count(dispatcher.fallbacks().get(ExitKind.PIO_IN));
            int exits = 50;
            ExecutorService vcpu = Executors.newSingleThreadExecutor();
            List<Dispatch> answers;
            try {
                Future<List<Dispatch>> guest = vcpu.submit(() -> {
                    List<Dispatch> l = new ArrayList<>();
                    for (int i = 0; i < exits; i++) l.add(dispatcher.dispatch(PORT_READ, CONTEXT));
                    return l;
                });
                answers = guest.get(TIMEOUT_MS, TimeUnit.MILLISECONDS); // before the fix: never returned
            } finally {
                vcpu.shutdownNow();
            }
            for (Dispatch d : answers) {
                assertEquals(DEFAULT_READ, d.result());
                assertEquals(ExitDispatcher.DEFAULT, d.handledBy());
                assertEquals("the blocking plug-in is named as the reason for the fallback", label, d.fallbackFrom());
            }
            assertEquals(fallbacks + exits, count(dispatcher.fallbacks().get(ExitKind.PIO_IN)));
            assertEquals("one timeout, then it is out of dispatch", timeouts + 1, count(dispatcher.timeouts().get(ExitKind.PIO_IN)));
            assertTrue(dispatcher.quarantined().toString(), dispatcher.quarantined()
                .contains(label + ": no answer to PIO_IN within the hard limit of " + HARD_LIMIT_MS + " ms"));
            assertTrue(dispatcher.handlers(ExitKind.PIO_IN).toString(),
                dispatcher.handlers(ExitKind.PIO_IN).stream().anyMatch(h -> h.startsWith(name) && h.contains("QUARANTINED")));
        } finally {
            Files.deleteIfExists(dropped);
        }
        await(() -> bundle(BLOCKING_BSN) == null, "FileInstall uninstalls the blocking bundle when its jar is removed");
        awaitNoHandlerFrom(BLOCKING_BSN);
        assertFalse(dispatcher.quarantined().toString(), dispatcher.quarantined().stream().anyMatch(q -> q.startsWith(label)));

        // FileInstall is not wedged: a handler dropped in now is installed, takes port reads, and goes with its jar
        Path next = deploy.resolve("pcm.itests.handler.jar");
        Files.copy(Path.of(System.getProperty("b.handler")), next, StandardCopyOption.REPLACE_EXISTING);
        try {
            long serviceId = awaitHandlerService(HANDLER_BSN);
            String expected = HANDLER_BSN + "#" + serviceId;
            await(() -> expected.equals(dispatcher.dispatch(PORT_READ, CONTEXT).handledBy()), "the new drop-in takes port reads");
        } finally {
            Files.deleteIfExists(next);
        }
        await(() -> bundle(HANDLER_BSN) == null, "FileInstall uninstalls the handler bundle too");
    }

    // ---------------------------------------------------------------- helpers

    static final ExitContext CONTEXT = new ExitContext() {
        @Override public int vcpuId() { return 0; }
        @Override public GuestMemory memory() { return null; }
        @Override public long instructionCount() { return -1; }
    };

    private String dispatcherProperties() {
        ServiceReference<ExitDispatcher> ref = context.getServiceReference(ExitDispatcher.class);
        if (ref == null) return "no dispatcher";
        java.util.Map<String, Object> m = new java.util.TreeMap<>();
        for (String k : ref.getPropertyKeys()) m.put(k, ref.getProperty(k));
        return m.toString();
    }

    private static long count(Long v) {
        return v == null ? 0 : v;
    }

    private Bundle bundle(String bsn) {
        return Arrays.stream(context.getBundles()).filter(b -> bsn.equals(b.getSymbolicName())).findFirst().orElse(null);
    }

    /** Waits for the ExitHandler service of the bundle and returns its service.id. */
    private long awaitHandlerService(String bsn) throws Exception {
        long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        while (System.currentTimeMillis() < deadline) {
            for (ServiceReference<ExitHandler> ref : context.getServiceReferences(ExitHandler.class, null)) {
                if (ref.getBundle() != null && bsn.equals(ref.getBundle().getSymbolicName()))
                    return (Long) ref.getProperty("service.id");
            }
            Thread.sleep(50);
        }
        fail("no ExitHandler service from " + bsn + " within " + TIMEOUT_MS + " ms; bundles: "
            + Arrays.stream(context.getBundles()).map(b -> b.getSymbolicName() + ":" + b.getState()).toList());
        return -1;
    }

    private void awaitNoHandlerFrom(String bsn) {
        await(() -> dispatcher.handlers(ExitKind.PIO_IN).stream().noneMatch(h -> h.startsWith(bsn + "#")),
            "no handler from " + bsn + " left: " + dispatcher.handlers(ExitKind.PIO_IN));
        assertFalse(dispatcher.handlers(ExitKind.PIO_IN).stream().anyMatch(h -> h.startsWith(bsn + "#")));
    }

    private static void await(BooleanSupplier condition, String what) {
        long deadline = System.currentTimeMillis() + TIMEOUT_MS;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) fail("timed out after " + TIMEOUT_MS + " ms waiting until " + what);
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                fail("interrupted");
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            List<Path> all = s.sorted(Comparator.reverseOrder()).toList();
            for (Path p : all) Files.delete(p);
        }
    }

}
