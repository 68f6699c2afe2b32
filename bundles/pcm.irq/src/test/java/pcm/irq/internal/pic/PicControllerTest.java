package pcm.irq.internal.pic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import pcm.core.api.bus.IoRange;

class PicControllerTest {

    private final PicController pic = new PicController();
    private final AtomicInteger kicks = new AtomicInteger();
    private final IoRange master = IoRange.pio(0x20, 2);
    private final IoRange slave = IoRange.pio(0xA0, 2);

    @BeforeEach
    void setUp() {
        pic.setPendingListener(kicks::incrementAndGet);
        for (int[] w : new int[][] {{0, 0x11}, {1, 0x20}, {1, 0x04}, {1, 0x01}}) pic.write(master, w[0], 1, w[1]);
        for (int[] w : new int[][] {{0, 0x11}, {1, 0x28}, {1, 0x02}, {1, 0x01}}) pic.write(slave, w[0], 1, w[1]);
    }

    @Test
    void claimsPicAndElcrPorts() {
        assertEquals(3, pic.ranges().size());
        assertTrue(pic.ranges().contains(IoRange.pio(0x4D0, 2)));
    }

    @Test
    void pulseKicksTheListenerOnceAndAcknowledgeReturnsVector() {
        pic.pulseIrq(0);
        assertEquals(1, kicks.get());
        pic.pulseIrq(1);
        assertEquals(1, kicks.get(), "INT already high: no second kick");
        assertTrue(pic.hasPendingInterrupt());
        assertEquals(0x20, pic.acknowledge());
        assertEquals(-1, pic.acknowledge(), "IRQ 1 waits behind IRQ 0 in service");
        pic.write(master, 0, 1, 0x20);
        assertEquals(2, kicks.get(), "EOI uncovered IRQ 1");
        assertEquals(0x21, pic.acknowledge());
        assertEquals(2, pic.acknowledgedCount());
    }

    @Test
    void acknowledgeWithNothingPendingReturnsMinusOne() {
        assertFalse(pic.hasPendingInterrupt());
        assertEquals(-1, pic.acknowledge());
    }

    @Test
    void unmaskingAPendingRequestKicks() {
        pic.write(master, 1, 1, 0xFF);
        pic.pulseIrq(4);
        assertEquals(0, kicks.get());
        pic.write(master, 1, 1, 0xEF);
        assertEquals(1, kicks.get());
        assertEquals(0x24, pic.acknowledge());
    }

    @Test
    void imrReadsBackThroughThePort() {
        pic.write(master, 1, 1, 0xA5);
        assertEquals(0xA5, pic.read(master, 1, 1));
        pic.write(IoRange.pio(0x4D0, 2), 0, 2, 0x0220);   // 16-bit ELCR write
        assertEquals(0x0220, pic.read(IoRange.pio(0x4D0, 2), 0, 2));
    }

    @Test
    void spuriousIrq15IsCounted() {
        pic.write(IoRange.pio(0x4D0, 2), 1, 1, 0x02);     // IRQ 9 level
        pic.setIrq(9, true);
        pic.setIrq(9, false);
        assertEquals(0x2F, pic.acknowledge());
        assertEquals(1, pic.spuriousCount());
    }

    @Test
    void listenerRunsOutsideTheLock() throws Exception {
        CountDownLatch done = new CountDownLatch(1);
        pic.setPendingListener(() -> {
            // another thread must be able to use the controller while the listener runs
            Thread t = new Thread(() -> {
                pic.acknowledge();
                done.countDown();
            });
            t.start();
            try {
                assertTrue(done.await(2, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        pic.pulseIrq(3);
        assertEquals(0, done.getCount());
    }

    @Test
    void concurrentRaisersAndAcknowledgerLoseNothing() throws Exception {
        int n = 20_000;
        pic.write(IoRange.pio(0x4D0, 2), 0, 1, 0x00);
        // auto-EOI so every INTA frees the line at once
        for (int[] w : new int[][] {{0, 0x11}, {1, 0x20}, {1, 0x04}, {1, 0x03}}) pic.write(master, w[0], 1, w[1]);
        AtomicInteger delivered = new AtomicInteger();
        Thread raiser = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < n; i++) pic.pulseIrq(i % 2 == 0 ? 3 : 5);
        });
        Thread cpu = Thread.ofPlatform().start(() -> {
            while (raiser.isAlive() || pic.hasPendingInterrupt()) {
                int v = pic.acknowledge();
                if (v >= 0) delivered.incrementAndGet();
            }
        });
        raiser.join();
        cpu.join();
        assertFalse(pic.hasPendingInterrupt());
        assertTrue(delivered.get() > 0 && delivered.get() <= n, "edges coalesce in IRR, never invent interrupts");
    }

    @Test
    void saveRestoreThroughTheComponent() {
        pic.pulseIrq(6);
        Pic8259.State s = pic.save();
        PicController other = new PicController();
        AtomicInteger otherKicks = new AtomicInteger();
        other.setPendingListener(otherKicks::incrementAndGet);
        other.restore(s);
        assertEquals(1, otherKicks.get());
        assertEquals(0x26, other.acknowledge());
    }
}
