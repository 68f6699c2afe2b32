package pcm.core.internal.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.annotation.Annotation;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import pcm.core.api.vm.VmExit;
import pcm.core.internal.time.ClockConfig;
import pcm.core.internal.time.KernelGuestClock;

/**
 * The guest clock may bind after the VM started: Declarative Services orders neither the VM and the clock
 * (both in pcm.core) nor the devices that schedule on it. On a slow host (KVM inside QEMU's TCG) the VM
 * started first, the clock was never attached, its time stood still and the PIT's deadlines on it never ran:
 * the guest, halted waiting for its timer, got no interrupt at all. The loop now attaches a clock that
 * arrives while it runs — also while the guest is halted. (That guest time never decreases across VMs: KernelGuestClockTest.)
 */
class LateClockTest {

    @Test
    void aClockThatBindsWhileTheGuestIsHaltedIsAttachedAndItsTimerWakesTheGuest() throws Exception {
        KernelGuestClock clock = new KernelGuestClock(hostTime());
        try (TestVm vm = new TestVm(List.of(new ScriptedVcpu.Retire(10), new ScriptedVcpu.Exit(new VmExit.Hlt(true))))) {
            // the guest waits in HLT, no clock yet: a deadline on the unattached clock must not be lost
            CountDownLatch fired = new CountDownLatch(1);
            clock.schedule(clock.nanos() + 2_000_000, () -> {
                vm.pendingVector.set(0x20);
                fired.countDown();
            });
            vm.loop.setTimeSource(clock);
            assertTrue(fired.await(10, TimeUnit.SECONDS), "the late clock ran the timer scheduled on it");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (vm.cpu.injected.isEmpty() && System.nanoTime() < deadline) Thread.sleep(5);
            assertEquals(List.of(0x20), List.copyOf(vm.cpu.injected), "the timer's interrupt reached the halted guest");
        } finally {
            clock.detach();
        }
    }

    private static ClockConfig hostTime() {
        return new ClockConfig() {
            public Class<? extends Annotation> annotationType() { return ClockConfig.class; }
            public Source source() { return Source.HOST; }
            public long tscHz() { return 2_000_000_000L; }
            public int tscPerInstruction() { return 2; }
            public int pollMillis() { return 1; }
        };
    }
}
