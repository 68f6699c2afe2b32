package pcm.core.internal.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import pcm.core.api.exit.ExitContext;
import pcm.core.api.exit.ExitDispatcher.Dispatch;
import pcm.core.api.exit.ExitHandler;
import pcm.core.api.exit.ExitResult;
import pcm.core.api.memory.GuestMemory;
import pcm.core.api.vm.ExitKind;
import pcm.core.api.vm.VmExit;

/**
 * Misbehaving plug-in handlers (issue 11 item 7): slow ones are named, blocking ones are quarantined
 * and the exit goes on to the next handler, late answers are dropped, throwing ones are reported
 * rate-limited, and unregistration never waits for ever. Durations against the budget are measured
 * on a clock the handlers advance, so no assertion depends on wall-clock time; the hard limit is
 * real time, kept short here.
 */
@Timeout(value = 60, threadMode = Timeout.ThreadMode.SEPARATE_THREAD) // a hang (the defect) fails instead of wedging the build
class SupervisedDispatchTest {

    static final String VENDOR = "vendor.plugin";
    static final VmExit PORT_IN = new VmExit.PortIn(0x510, 1);

    /** What the dispatcher reported. */
    record Line(String message, Throwable cause) {}

    final List<Line> log = new CopyOnWriteArrayList<>();
    final AtomicLong clock = new AtomicLong();
    final DispatchLog recorder = new DispatchLog() {
        @Override public void warn(String message, Throwable cause) { log.add(new Line(message, cause)); }
        @Override public void info(String message) { log.add(new Line(message, null)); }
    };
    final List<CountDownLatch> toRelease = new CopyOnWriteArrayList<>();
    WhiteboardExitDispatcher d = dispatcher(200, 100);

    WhiteboardExitDispatcher dispatcher(long hardLimitMillis, long unregisterWaitMillis) {
        return new WhiteboardExitDispatcher(new DispatchSettings(DispatchSettings.ms(50), DispatchSettings.ms(hardLimitMillis),
                DispatchSettings.ms(unregisterWaitMillis), DispatchSettings.ms(10_000), Set.of("pcm.core")), clock::get, recorder);
    }

    @AfterEach
    void release() {
        toRelease.forEach(CountDownLatch::countDown);
        d.deactivate();
    }

    static Map<String, Object> plugin(String bsn, int ranking) {
        Map<String, Object> m = new HashMap<>();
        m.put(ExitHandler.EXIT_KINDS, "PIO_IN");
        m.put("service.ranking", ranking);
        m.put(WhiteboardExitDispatcher.BUNDLE_NAME, bsn);
        m.put(WhiteboardExitDispatcher.BUNDLE_VERSION, "1.2.3");
        return m;
    }

    static Map<String, Object> builtin(int ranking) {
        return plugin("pcm.core", ranking);
    }

    static ExitHandler constant(long v) {
        return (exit, ctx) -> ExitResult.value(v);
    }

    /** Blocks until the test releases it (or ends), then answers {@code v}. */
    ExitHandler blocking(long v, AtomicInteger calls, CountDownLatch entered, CountDownLatch release) {
        toRelease.add(release);
        return (exit, ctx) -> {
            calls.incrementAndGet();
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return ExitResult.value(v);
        };
    }

    static final ExitContext CTX = WhiteboardExitDispatcherTest.CTX;

    String labelOf(String bsn) {
        return d.handlers(ExitKind.PIO_IN).stream().filter(h -> h.startsWith(bsn + "#")).findFirst()
                .map(h -> bsn + " 1.2.3 #" + h.substring(bsn.length() + 1, h.indexOf(' '))).orElseThrow();
    }

    List<Line> linesWith(String... parts) {
        return log.stream().filter(l -> List.of(parts).stream().allMatch(l.message()::contains)).toList();
    }

    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        for (int i = 0; i < 2_000 && !condition.getAsBoolean(); i++) Thread.sleep(5);
        assertTrue(condition.getAsBoolean(), what);
    }

    // ---------------------------------------------------------------- slow

    @Test
    void handlerOverItsBudgetIsNamedWithBundleVersionServiceIdKindAndDuration() {
        d.register((exit, ctx) -> {
            clock.addAndGet(DispatchSettings.ms(80));
            return ExitResult.value(7);
        }, plugin(VENDOR, 10));
        Dispatch r = d.dispatch(PORT_IN, CTX);
        assertEquals(ExitResult.value(7), r.result(), "a slow answer within the hard limit still counts");
        assertFalse(r.fallback());
        String label = labelOf(VENDOR);
        List<Line> warnings = linesWith(label, "took 80 ms", "PIO_IN", "time budget of 50 ms");
        assertEquals(1, warnings.size(), "one warning names it: " + log);
        assertTrue(d.quarantined().isEmpty());
    }

    @Test
    void handlerWithinItsBudgetLeavesNoWarning() {
        d.register((exit, ctx) -> {
            clock.addAndGet(DispatchSettings.ms(20));
            return ExitResult.value(7);
        }, plugin(VENDOR, 10));
        d.dispatch(PORT_IN, CTX);
        assertTrue(linesWith("time budget").isEmpty(), log.toString());
    }

    // ---------------------------------------------------------------- blocking

    @Test
    void blockingHandlerIsQuarantinedAndTheExitGoesToTheNextHandler() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        d.register(blocking(99, calls, entered, release), plugin(VENDOR, 100));
        d.register(constant(1), builtin(-1000));
        String label = labelOf(VENDOR);

        Dispatch first = d.dispatch(PORT_IN, CTX); // returns after the hard limit: the guest goes on
        assertEquals(ExitResult.value(1), first.result(), "the next handler in rank answered");
        assertEquals(label, first.fallbackFrom());
        assertEquals(1L, d.timeouts().get(ExitKind.PIO_IN));
        assertEquals(List.of(label + ": no answer to PIO_IN within the hard limit of 200 ms"), d.quarantined());
        assertTrue(d.handlers(ExitKind.PIO_IN).getFirst().contains("QUARANTINED"), d.handlers(ExitKind.PIO_IN).toString());
        List<Line> named = linesWith(label, "QUARANTINED", "PIO_IN", "200 ms");
        assertEquals(1, named.size(), log.toString());
        assertNotNull(named.getFirst().cause(), "the warning shows where the handler is stuck");
        assertTrue(List.of(named.getFirst().cause().getStackTrace()).stream()
                .anyMatch(e -> e.getClassName().equals(CountDownLatch.class.getName())), "stuck in release.await()");

        Dispatch second = d.dispatch(PORT_IN, CTX);
        assertEquals(ExitResult.value(1), second.result());
        assertEquals(label, second.fallbackFrom(), "a quarantined handler's exits are fallback answers too");
        assertEquals(1, calls.get(), "a quarantined handler is not asked again");
        assertEquals(2L, d.fallbacks().get(ExitKind.PIO_IN));
        assertEquals(1L, d.timeouts().get(ExitKind.PIO_IN), "the timeout is not repeated");

        // its late answer (99) is dropped, counted and never reaches a guest
        release.countDown();
        await(() -> d.lateAnswersDropped() == 1, "the late answer is counted");
        assertEquals(1, linesWith(label, "too late", "dropped").size(), log.toString());
        assertEquals(ExitResult.value(1), d.dispatch(PORT_IN, CTX).result());
    }

    @Test
    void blockingHandlerWithNothingBelowGetsTheDefault() {
        CountDownLatch release = new CountDownLatch(1);
        d.register(blocking(99, new AtomicInteger(), new CountDownLatch(1), release), plugin(VENDOR, 100));
        Dispatch r = d.dispatch(PORT_IN, CTX);
        assertEquals(ExitResult.value(0xFF), r.result());
        assertEquals("default", r.handledBy());
        assertEquals(labelOf(VENDOR), r.fallbackFrom());
        assertNull(d.unhandled().get(ExitKind.PIO_IN), "not 'no handler took it': a plug-in failed it");
    }

    @Test
    void aLateHandlerCannotTouchTheGuestAnyMore() throws Exception {
        AtomicInteger writes = new AtomicInteger();
        GuestMemory memory = countingWrites(writes);
        ExitContext ctx = new ExitContext() {
            public int vcpuId() { return 3; }
            public GuestMemory memory() { return memory; }
            public long instructionCount() { return 42; }
        };
        CountDownLatch release = new CountDownLatch(1);
        toRelease.add(release);
        AtomicReference<Throwable> lateWrite = new AtomicReference<>();
        CountDownLatch tried = new CountDownLatch(1);
        d.register((exit, c) -> {
            c.memory().writeByte(0x1000, (byte) 1); // while the vCPU waits: allowed
            try {
                release.await();
                c.memory().writeByte(0x1000, (byte) 2);
            } catch (RuntimeException | InterruptedException e) {
                lateWrite.set(e);
            } finally {
                tried.countDown();
            }
            return ExitResult.value(5);
        }, plugin(VENDOR, 100));
        assertEquals(ExitResult.value(0xFF), d.dispatch(PORT_IN, ctx).result());
        release.countDown();
        assertTrue(tried.await(10, TimeUnit.SECONDS));
        assertEquals(1, writes.get(), "only the write made while the exit was being handled landed");
        assertTrue(lateWrite.get() instanceof IllegalStateException, String.valueOf(lateWrite.get()));
    }

    static GuestMemory countingWrites(AtomicInteger writes) {
        return (GuestMemory) java.lang.reflect.Proxy.newProxyInstance(GuestMemory.class.getClassLoader(),
                new Class<?>[] {GuestMemory.class}, (proxy, method, args) -> {
                    if (method.getName().startsWith("write")) writes.incrementAndGet();
                    return method.getReturnType() == long.class ? 0L : method.getReturnType() == boolean.class ? true : null;
                });
    }

    // ---------------------------------------------------------------- throwing

    @Test
    void throwingHandlerIsReportedOnceInFullThenSummarisedWithCounts() {
        d.register((exit, ctx) -> {
            clock.addAndGet(DispatchSettings.ms(20)); // 1,000 exits: 20 s on the dispatcher's clock
            throw new IllegalStateException("vendor bug");
        }, plugin(VENDOR, 100));
        d.register(constant(5), builtin(-1000));
        String label = labelOf(VENDOR);
        for (int i = 0; i < 1_000; i++) {
            Dispatch r = d.dispatch(PORT_IN, CTX);
            assertEquals(ExitResult.value(5), r.result(), "the next handler in rank answers");
            assertEquals(label, r.fallbackFrom());
        }
        d.flushReports();
        assertEquals(1, log.stream().filter(l -> l.cause() != null).count(), "one stack trace, not one per exit: " + log.size());
        assertEquals(1, linesWith(label, "threw java.lang.IllegalStateException: vendor bug", "PIO_IN").size());
        Pattern summary = Pattern.compile("exit handler " + Pattern.quote(label) + " failed (\\d+) times in the last ([0-9.]+) s");
        long summarised = 0;
        int summaries = 0;
        for (Line l : log) {
            Matcher m = summary.matcher(l.message());
            if (m.find()) {
                summarised += Long.parseLong(m.group(1));
                summaries++;
                assertTrue(Double.parseDouble(m.group(2)) <= 10.1 || summaries == 1, l.message());
            }
        }
        assertEquals(999, summarised, "every failure after the first is counted in a summary: " + log);
        assertTrue(summaries >= 2 && summaries <= 3, "one summary per 10 s period: " + summaries);
        assertTrue(log.size() <= 5, "a handful of lines for 1,000 failures: " + log);
        assertEquals(1_000L, d.failures().get(ExitKind.PIO_IN));
        assertEquals(1_000L, d.fallbacks().get(ExitKind.PIO_IN));
        assertTrue(d.quarantined().isEmpty(), "failing fast is not a reason to quarantine");
    }

    // ---------------------------------------------------------------- which thread

    @Test
    void builtInHandlersRunOnTheVcpuThreadAndPluginsOnAWorker() {
        AtomicReference<Thread> builtinThread = new AtomicReference<>();
        AtomicReference<Thread> pluginThread = new AtomicReference<>();
        d.register((exit, ctx) -> {
            builtinThread.set(Thread.currentThread());
            return ExitResult.done();
        }, Map.of(ExitHandler.EXIT_KINDS, "PIO_OUT", WhiteboardExitDispatcher.BUNDLE_NAME, "pcm.core"));
        d.register((exit, ctx) -> {
            pluginThread.set(Thread.currentThread());
            return ExitResult.value(ctx.vcpuId() + ctx.instructionCount());
        }, plugin(VENDOR, 0));
        d.dispatch(new VmExit.PortOut(0x80, 1, 0), CTX);
        assertSame(Thread.currentThread(), builtinThread.get());
        assertEquals(ExitResult.value(-1), d.dispatch(PORT_IN, CTX).result(), "the plug-in sees the vCPU's context");
        assertNotSame(Thread.currentThread(), pluginThread.get());
        assertTrue(pluginThread.get().getName().startsWith("pcm-exit-plugin-"));
    }

    @Test
    void aConfigurationThatArrivesAfterTheHandlersReclassifiesThem() {
        AtomicReference<Thread> ran = new AtomicReference<>();
        d.register((exit, ctx) -> {
            ran.set(Thread.currentThread());
            return ExitResult.value(1);
        }, plugin(VENDOR, 0));
        d.dispatch(PORT_IN, CTX);
        assertNotSame(Thread.currentThread(), ran.get());
        d.configure(config(100, 500, "pcm.core", VENDOR)); // DS binds handlers before the configuration comes
        d.dispatch(PORT_IN, CTX);
        assertSame(Thread.currentThread(), ran.get(), "a trusted vendor bundle is called directly");
    }

    @Test
    void aBadConfigurationIsRefusedAndTheLastGoodOneKept() {
        d.configure(config(100, 10, "pcm.core")); // hard limit under the budget
        CountDownLatch release = new CountDownLatch(1);
        d.register(blocking(9, new AtomicInteger(), new CountDownLatch(1), release), plugin(VENDOR, 0));
        d.dispatch(PORT_IN, CTX);
        assertTrue(d.quarantined().getFirst().endsWith("within the hard limit of 200 ms"), d.quarantined().toString());
    }

    static DispatchConfig config(long budget, long hardLimit, String... direct) {
        return new DispatchConfig() {
            public Class<? extends java.lang.annotation.Annotation> annotationType() { return DispatchConfig.class; }
            public long budgetMillis() { return budget; }
            public long hardLimitMillis() { return hardLimit; }
            public long unregisterWaitMillis() { return 100; }
            public long reportPeriodMillis() { return 10_000; }
            public String[] directBundles() { return direct; }
        };
    }

    // ---------------------------------------------------------------- unregistration

    @Test
    void unregisteringAHandlerStuckInACallReturnsAfterTheBoundedWait() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        ExitHandler stuck = blocking(99, new AtomicInteger(), entered, new CountDownLatch(1));
        d.register(stuck, plugin(VENDOR, 100));
        String label = labelOf(VENDOR);
        assertEquals(ExitResult.value(0xFF), d.dispatch(PORT_IN, CTX).result());
        assertTrue(entered.await(10, TimeUnit.SECONDS));
        ExecutorService fileInstall = Executors.newSingleThreadExecutor();
        try {
            Future<?> removal = fileInstall.submit(() -> d.unregister(stuck));
            removal.get(30, TimeUnit.SECONDS); // before the fix: never returns (RankedHandler.retireAndDrain spun for ever)
        } finally {
            fileInstall.shutdownNow();
        }
        assertEquals(1, linesWith(label, "removed with 1 call(s) still running", "100 ms").size(), log.toString());
        assertTrue(d.handlers(ExitKind.PIO_IN).isEmpty());
        // the unregistering thread is free: handlers come and go again
        ExitHandler next = constant(3);
        d.register(next, plugin("vendor.next", 1));
        assertEquals(ExitResult.value(3), d.dispatch(PORT_IN, CTX).result());
        d.unregister(next);
    }

    @Test
    void unregisteringABuiltInHandlerBlockedOnTheVcpuThreadIsBoundedToo() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        ExitHandler stuck = blocking(99, new AtomicInteger(), entered, new CountDownLatch(1));
        d.register(stuck, builtin(100)); // direct: no hard limit, the "vCPU" below stays in it
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            threads.submit(() -> d.dispatch(PORT_IN, CTX));
            assertTrue(entered.await(10, TimeUnit.SECONDS));
            threads.submit(() -> d.unregister(stuck)).get(30, TimeUnit.SECONDS);
        } finally {
            threads.shutdownNow();
        }
        assertEquals(1, linesWith("removed with 1 call(s) still running").size(), log.toString());
    }

    // ---------------------------------------------------------------- configuration

    @Test
    void hardLimitBelowTheBudgetIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DispatchSettings(
                DispatchSettings.ms(100), DispatchSettings.ms(10), 0, 1, Set.of()));
        assertTrue(e.getMessage().contains("hardLimitMillis (10)"), e.getMessage());
    }
}
