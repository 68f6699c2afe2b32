package pcm.core.internal.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

import pcm.core.api.vm.VmExit;

/**
 * Work handed to the vCPU loop (opening and closing windows) either never runs or has an owner: stop 28's
 * GuestBootIT failure was a window the vCPU opened after its opener had been interrupted and had said "not opened".
 */
class VcpuRequestTest {

    private static TestVm idleGuest() {
        return new TestVm(List.of(new ScriptedVcpu.Exit(new VmExit.Hlt(true))));
    }

    @Test
    void workWithdrawnBeforeItStartedNeverRuns() throws Exception {
        try (TestVm vm = idleGuest()) {
            CountDownLatch busy = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<Void> first = CompletableFuture.runAsync(() -> {
                try {
                    vm.loop.call(() -> {
                        busy.countDown();
                        return release.await(10, TimeUnit.SECONDS);
                    }, 10_000);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            assertTrue(busy.await(10, TimeUnit.SECONDS), "the loop took the first request");
            AtomicBoolean ran = new AtomicBoolean();
            assertThrows(TimeoutException.class, () -> vm.loop.call(() -> ran.getAndSet(true), 50),
                    "the loop is busy: the second caller gives up");
            release.countDown();
            first.get(10, TimeUnit.SECONDS);
            vm.loop.call(() -> null, 10_000); // a later request: the loop has passed the withdrawn one by now
            assertEquals(false, ran.get(), "work its caller gave up on before it started must never run");
        }
    }

    @Test
    void anInterruptedCallerOfStartedWorkGetsItsResultAndKeepsTheInterrupt() throws Exception {
        try (TestVm vm = idleGuest()) {
            CountDownLatch started = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            AtomicInteger result = new AtomicInteger(-1);
            AtomicBoolean flagKept = new AtomicBoolean();
            Thread caller = Thread.ofPlatform().start(() -> {
                try {
                    result.set(vm.loop.call(() -> {
                        started.countDown();
                        release.await(10, TimeUnit.SECONDS);
                        return 7;
                    }, 10_000));
                    flagKept.set(Thread.currentThread().isInterrupted());
                } catch (Exception e) {
                    result.set(-2);
                }
            });
            assertTrue(started.await(10, TimeUnit.SECONDS));
            caller.interrupt(); // what stopping the periodic sampler does to the thread opening a window
            Thread.sleep(50);
            release.countDown();
            caller.join(10_000);
            assertEquals(7, result.get(), "the work ran: its caller must learn its result, not 'not done'");
            assertTrue(flagKept.get(), "the interrupt is kept for the caller's next wait");
        }
    }
}
