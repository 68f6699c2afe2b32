package pcm.core.internal.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;

import pcm.core.api.exit.ExitContext;
import pcm.core.api.exit.ExitDispatcher.Dispatch;
import pcm.core.api.exit.ExitHandler;
import pcm.core.api.exit.ExitResult;
import pcm.core.api.memory.GuestMemory;
import pcm.core.api.vm.ExitKind;
import pcm.core.api.vm.VmExit;

class WhiteboardExitDispatcherTest {

    static final ExitContext CTX = new ExitContext() {
        public int vcpuId() { return 0; }
        public GuestMemory memory() { return null; }
        public long instructionCount() { return -1; }
    };

    static Map<String, Object> props(String kinds, int ranking) {
        return Map.of(ExitHandler.EXIT_KINDS, kinds, "service.ranking", ranking);
    }

    static ExitHandler constant(long v) {
        return (exit, ctx) -> ExitResult.value(v);
    }

    final WhiteboardExitDispatcher d = new WhiteboardExitDispatcher();
    final VmExit portIn = new VmExit.PortIn(0x60, 1);

    @Test
    void unclaimedPortReadGivesAllOnesAndIsCounted() {
        Dispatch r = d.dispatch(new VmExit.PortIn(0x1234, 2), CTX);
        assertEquals(new ExitResult.Value(0xFFFF), r.result());
        assertEquals("default", r.handledBy());
        assertEquals(1L, d.unhandled().get(ExitKind.PIO_IN));
        assertEquals(0xFFFF_FFFFL, ((ExitResult.Value) d.dispatch(new VmExit.MmioRead(0xF000_0000L, 4), CTX).result()).value());
    }

    @Test
    void highestRankingWinsWhateverTheRegistrationOrder() {
        d.register(constant(1), props("PIO_IN", 1));
        d.register(constant(10), props("PIO_IN", 10));
        d.register(constant(5), props("PIO_IN", 5));
        assertEquals(new ExitResult.Value(10), d.dispatch(portIn, CTX).result());
        assertEquals(3, d.handlers(ExitKind.PIO_IN).size());
    }

    @Test
    void equalRankingPrefersTheOlderService() {
        d.register(constant(1), Map.of(ExitHandler.EXIT_KINDS, "PIO_IN", "service.id", 7L));
        d.register(constant(2), Map.of(ExitHandler.EXIT_KINDS, "PIO_IN", "service.id", 3L));
        assertEquals(new ExitResult.Value(2), d.dispatch(portIn, CTX).result());
    }

    @Test
    void handlersOnlySeeTheirKinds() {
        d.register(constant(1), props("PIO_OUT", 100));
        assertEquals("default", d.dispatch(portIn, CTX).handledBy());
    }

    @Test
    void arrayAndCommaListKindsAreAccepted() {
        d.register(constant(3), Map.of(ExitHandler.EXIT_KINDS, new String[] {"PIO_IN", "CPUID"}));
        d.register(constant(4), Map.of(ExitHandler.EXIT_KINDS, "MSR_READ, HYPERCALL"));
        assertEquals(new ExitResult.Value(3), d.dispatch(new VmExit.Cpuid(0, 0), CTX).result());
        assertEquals(new ExitResult.Value(4), d.dispatch(new VmExit.Hypercall(1, 0, 0, 0, 0), CTX).result());
    }

    @Test
    void unknownKindIsRefusedAndDispatchGoesOn() {
        assertFalse(d.register(constant(1), props("PIO_INN", 1)));
        assertEquals("default", d.dispatch(portIn, CTX).handledBy());
    }

    @Test
    void passHandsTheExitToTheNextInRank() {
        d.register((e, c) -> ExitResult.pass(), props("PIO_IN", 10));
        d.register(constant(7), props("PIO_IN", 1));
        assertEquals(new ExitResult.Value(7), d.dispatch(portIn, CTX).result());
    }

    @Test
    void unregisteringHandsBackToTheNextInRank() {
        ExitHandler top = constant(9);
        d.register(constant(1), props("PIO_IN", 1));
        d.register(top, props("PIO_IN", 9));
        assertEquals(new ExitResult.Value(9), d.dispatch(portIn, CTX).result());
        d.unregister(top);
        assertEquals(new ExitResult.Value(1), d.dispatch(portIn, CTX).result());
    }

    @Test
    void throwingHandlerIsIsolatedCountedAndDispatchGoesOn() {
        d.register((e, c) -> { throw new IllegalStateException("vendor bug"); }, props("PIO_IN", 5));
        Dispatch r = d.dispatch(portIn, CTX);
        assertEquals(new ExitResult.Value(0xFF), r.result());
        assertEquals(1L, d.failures().get(ExitKind.PIO_IN));
        assertEquals(new ExitResult.Value(0xFF), d.dispatch(portIn, CTX).result());
        assertEquals(2L, d.failures().get(ExitKind.PIO_IN));
    }

    @Test
    void nullResultCountsAsFailure() {
        d.register((e, c) -> null, props("PIO_IN", 5));
        assertEquals("default", d.dispatch(portIn, CTX).handledBy());
        assertEquals(1L, d.failures().get(ExitKind.PIO_IN));
    }

    @Test
    void shutdownDefaultStopsWithTheGuestStatus() {
        assertEquals(ExitResult.stop(3, "bye"), d.dispatch(new VmExit.Shutdown(3, "bye"), CTX).result());
    }

    @Test
    void unregisterWaitsForTheExitInFlightWhichFinishesOnItsHandler() throws Exception {
        CountDownLatch entered = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExitHandler slow = (e, c) -> {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException ie) {
                Thread.currentThread().interrupt();
            }
            return ExitResult.value(42);
        };
        d.register(slow, props("PIO_IN", 10));
        d.register(constant(1), props("PIO_IN", 1));
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Dispatch> inFlight = pool.submit(() -> d.dispatch(portIn, CTX));
            assertTrue(entered.await(5, TimeUnit.SECONDS));
            Future<?> removal = pool.submit(() -> d.unregister(slow));
            Thread.sleep(100);
            assertFalse(removal.isDone(), "unregister must wait for the exit in flight");
            assertEquals(new ExitResult.Value(1), d.dispatch(portIn, CTX).result(), "new exits go to the next handler at once");
            release.countDown();
            assertEquals(new ExitResult.Value(42), inFlight.get(5, TimeUnit.SECONDS).result());
            removal.get(5, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void noExitIsLostOrHandledTwiceWhileHandlersComeAndGo() throws Exception {
        AtomicLong handled = new AtomicLong();
        ExitHandler counting = (e, c) -> {
            handled.incrementAndGet();
            return ExitResult.done();
        };
        d.register(counting, props("PIO_OUT", 0));
        int threads = 2;
        int perThread = 200_000;
        ExecutorService pool = Executors.newFixedThreadPool(threads + 1);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                work.add(pool.submit(() -> {
                    for (int i = 0; i < perThread; i++) d.dispatch(new VmExit.PortOut(0x80, 1, i), CTX);
                }));
            }
            Future<?> churn = pool.submit(() -> {
                for (int i = 0; i < 2_000; i++) {
                    ExitHandler h = (e, c) -> {
                        handled.incrementAndGet();
                        return ExitResult.done();
                    };
                    d.register(h, props("PIO_OUT", 5));
                    d.unregister(h);
                }
            });
            for (Future<?> f : work) f.get(60, TimeUnit.SECONDS);
            churn.get(60, TimeUnit.SECONDS);
        } finally {
            pool.shutdownNow();
        }
        assertEquals((long) threads * perThread, handled.get());
        assertEquals((long) threads * perThread, d.dispatched().get(ExitKind.PIO_OUT));
        assertEquals(null, d.unhandled().get(ExitKind.PIO_OUT));
    }
}
