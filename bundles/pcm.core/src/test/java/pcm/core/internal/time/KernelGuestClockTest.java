package pcm.core.internal.time;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import pcm.core.api.exit.ExitContext;
import pcm.core.api.exit.ExitResult;
import pcm.core.api.memory.GuestMemory;
import pcm.core.api.time.GuestClock;
import pcm.core.api.vm.VmExit;

/** Guest time as a function of retired instructions (issue 14 item 3). */
class KernelGuestClockTest {

    private final KernelGuestClock clock = new KernelGuestClock(config(ClockConfig.Source.AUTO, 2_000_000_000L, 2));

    @AfterEach
    void stop() {
        clock.detach();
    }

    @Test
    void instructionTimeIsTheCountTimesTheRate() {
        clock.attach(true, () -> {});
        assertEquals(0, clock.nanos());
        clock.advance(1_000_000);                 // 2,000,000 ticks at 2 GHz = 1 ms
        assertEquals(1_000_000, clock.nanos());
        assertEquals(2_000_000, clock.tsc());
        clock.advance(999_999);                   // counts never go back
        assertEquals(1_000_000, clock.nanos());
        clock.advance(1_000_001);
        assertEquals(1_000_001, clock.nanos());
    }

    @Test
    void deadlinesRunInOrderWhenTheCountPassesThem() {
        clock.attach(true, () -> {});
        List<String> fired = new ArrayList<>();
        clock.schedule(2_000, () -> fired.add("b"));
        clock.schedule(1_000, () -> fired.add("a"));
        clock.schedule(2_000, () -> fired.add("c"));     // same deadline: scheduling order
        GuestClock.Deadline cancelled = clock.schedule(1_500, () -> fired.add("x"));
        cancelled.cancel();
        clock.advance(999);
        assertEquals(List.of(), fired);
        clock.advance(1_000);
        assertEquals(List.of("a"), fired);
        clock.advance(5_000);
        assertEquals(List.of("a", "b", "c"), fired);
    }

    @Test
    void anIdleGuestSkipsToTheNextDeadline() {
        clock.attach(true, () -> {});
        AtomicInteger fired = new AtomicInteger();
        clock.advance(10);
        assertFalse(clock.idle(), "nothing scheduled: nothing to skip to");
        clock.schedule(4_000_000, fired::incrementAndGet);
        assertTrue(clock.idle());
        assertEquals(1, fired.get());
        assertEquals(4_000_000, clock.nanos());
        clock.advance(20);                         // the skip stays: time goes on from there
        assertEquals(4_000_010, clock.nanos()); // 10 more instructions, 20 ticks
    }

    @Test
    void theSameInstructionsReadTheSameTimesInEveryRun() {
        List<Long> first = run(), second = run();
        assertEquals(first, second);
    }

    private List<Long> run() {
        KernelGuestClock c = new KernelGuestClock(config(ClockConfig.Source.AUTO, 1_000_000_000L, 3));
        c.attach(true, () -> {});
        List<Long> seen = new ArrayList<>();
        c.schedule(5_000, () -> seen.add(c.nanos()));
        for (long n = 0; n < 10_000; n += 777) {
            c.advance(n);
            seen.add(c.nanos());
        }
        c.idle();
        seen.add(c.tsc());
        c.detach();
        return seen;
    }

    @Test
    void rdtscAndTheTscMsrAnswerFromTheInstructionCount() {
        clock.attach(true, () -> {});
        ExitResult r = clock.handle(new VmExit.Nondeterministic(VmExit.Insn.RDTSC, 0), context(500));
        assertEquals(ExitResult.value(1_000), r);
        assertEquals(ExitResult.value(1_000), clock.handle(new VmExit.MsrRead(0x10), context(500)));
        assertEquals(ExitResult.pass(), clock.handle(new VmExit.Nondeterministic(VmExit.Insn.RDRAND, 0), context(500)));
        assertEquals(ExitResult.pass(), clock.handle(new VmExit.MsrRead(0x1B), context(500)));
    }

    @Test
    void withoutExactCountsTheHostClockRunsAndTheTscIsLeftToTheBackend() throws Exception {
        clock.attach(false, () -> {});
        assertFalse(clock.instructionTime());
        assertEquals(ExitResult.pass(), clock.handle(new VmExit.Nondeterministic(VmExit.Insn.RDTSC, 0), context(5)));
        java.util.concurrent.CountDownLatch fired = new java.util.concurrent.CountDownLatch(1);
        clock.schedule(clock.nanos() + 1_000_000, fired::countDown);
        assertTrue(fired.await(10, java.util.concurrent.TimeUnit.SECONDS), "the host scheduler runs the deadline");
        assertFalse(clock.idle(), "host time passes by itself");
    }

    @Test
    void aThrowingTaskDoesNotStopTheOthers() {
        clock.attach(true, () -> {});
        AtomicInteger fired = new AtomicInteger();
        clock.schedule(10, () -> { throw new IllegalStateException("device bug"); });
        clock.schedule(10, fired::incrementAndGet);
        clock.advance(100);
        assertEquals(1, fired.get());
    }

    /** GuestClock.nanos() never decreases: a new VM's time goes on from the last one's (it restarted at 0). */
    @Test
    void guestTimeGoesOnAcrossVmsInsteadOfStartingAgainAtZero() throws Exception {
        KernelGuestClock clock = new KernelGuestClock(config(ClockConfig.Source.HOST, 2_000_000_000L, 2));
        clock.attach(false, () -> {});
        Thread.sleep(20);
        clock.detach();
        long first = clock.nanos();
        assertTrue(first >= 20_000_000L, "first VM's time " + first);
        clock.attach(false, () -> {});
        assertTrue(clock.nanos() >= first, "host time went back from " + first + " to " + clock.nanos());
        clock.detach();

        KernelGuestClock counted = new KernelGuestClock(config(ClockConfig.Source.AUTO, 2_000_000_000L, 2));
        counted.attach(true, () -> {});
        counted.advance(1_000_001);                  // 2,000,002 ticks at 2 GHz
        counted.detach();
        long before = counted.nanos();
        counted.attach(true, () -> {});              // a new vCPU counts from 0 again
        assertTrue(counted.nanos() >= before, "instruction time went back from " + before + " to " + counted.nanos());
        counted.advance(10);
        assertEquals(before + 10, counted.nanos(), "1 ns per instruction at 2 ticks and 2 GHz, from where it stopped");
        counted.detach();
    }

    @Test
    void conversionsDoNotOverflowForDecadesOfGuestTime() {
        long century = 30L * 365 * 86_400 * 1_000_000_000L;
        long ticks = GuestClock.nanosToTicks(century, 3_000_000_000L);
        assertEquals(century * 3, ticks);
        assertEquals(century, GuestClock.ticksToNanos(ticks, 3_000_000_000L));
    }

    private static ExitContext context(long count) {
        return new ExitContext() {
            public int vcpuId() { return 0; }
            public GuestMemory memory() { throw new UnsupportedOperationException(); }
            public long instructionCount() { return count; }
        };
    }

    static ClockConfig config(ClockConfig.Source source, long hz, int perInsn) {
        return new ClockConfig() {
            public Class<? extends Annotation> annotationType() { return ClockConfig.class; }
            public Source source() { return source; }
            public long tscHz() { return hz; }
            public int tscPerInstruction() { return perInsn; }
            public int pollMillis() { return 1; }
        };
    }
}
