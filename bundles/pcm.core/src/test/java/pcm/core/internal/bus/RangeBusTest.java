package pcm.core.internal.bus;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import pcm.core.api.bus.AddressSpace;
import pcm.core.api.bus.IoDevice;
import pcm.core.api.bus.IoRange;
import pcm.core.api.bus.IoRangeConflictException;

class RangeBusTest {

    /** Remembers the last write; reads return base + offset. */
    static final class Echo implements IoDevice {
        final List<IoRange> ranges;
        long lastOffset = -1, lastValue;
        int lastSize;

        Echo(IoRange... ranges) { this.ranges = List.of(ranges); }

        public List<IoRange> ranges() { return ranges; }

        public long read(IoRange r, long offset, int size) { return r.base() + offset; }

        public void write(IoRange r, long offset, int size, long value) {
            lastOffset = offset;
            lastSize = size;
            lastValue = value;
        }
    }

    final RangeBus bus = new RangeBus();
    final long[] out = new long[1];

    @Test
    void readsAndWritesReachTheDeviceWithOffsets() throws Exception {
        Echo uart = new Echo(IoRange.pio(0x3f8, 8));
        bus.add(uart);
        assertTrue(bus.read(AddressSpace.PIO, 0x3fd, 2, out));
        assertEquals(0x3fd, out[0]);
        assertTrue(bus.write(AddressSpace.PIO, 0x3f8, 1, 0x41));
        assertEquals(0, uart.lastOffset);
        assertEquals(0x41, uart.lastValue);
    }

    @Test
    void oneDeviceMayHoldSeveralRanges() throws Exception {
        Echo pic = new Echo(IoRange.pio(0x20, 2), IoRange.pio(0xa0, 2));
        bus.add(pic);
        assertTrue(bus.write(AddressSpace.PIO, 0xa1, 1, 0xff));
        assertEquals(1, pic.lastOffset);
        assertTrue(bus.read(AddressSpace.PIO, 0x21, 1, out));
        assertEquals(0x21, out[0]);
    }

    @Test
    void unclaimedAddressesReadAllOnes() {
        assertFalse(bus.read(AddressSpace.PIO, 0x80, 2, out));
        assertEquals(0xFFFF, out[0]);
        assertFalse(bus.read(AddressSpace.MMIO, 0xFEB0_0000L, 8, out));
        assertEquals(-1L, out[0]);
        assertFalse(bus.write(AddressSpace.PIO, 0x80, 1, 0));
    }

    @Test
    void spacesAreSeparate() throws Exception {
        bus.add(new Echo(IoRange.pio(0x1000, 0x10)));
        assertFalse(bus.read(AddressSpace.MMIO, 0x1000, 1, out));
    }

    @Test
    void overlappingRangesAreATypedErrorAndNothingIsAdded() throws Exception {
        bus.add(new Echo(IoRange.mmio(0xFEB0_0000L, 0x1000)));
        Echo clash = new Echo(IoRange.pio(0x60, 1), IoRange.mmio(0xFEB0_0800L, 0x1000));
        IoRangeConflictException e = assertThrows(IoRangeConflictException.class, () -> bus.add(clash));
        assertEquals(IoRange.mmio(0xFEB0_0000L, 0x1000), e.existing());
        assertFalse(bus.read(AddressSpace.PIO, 0x60, 1, out), "the clashing device's other range must not be on the bus");
    }

    @Test
    void adjacentRangesDoNotOverlap() throws Exception {
        bus.add(new Echo(IoRange.pio(0x40, 4)));
        bus.add(new Echo(IoRange.pio(0x44, 4)));
        bus.add(new Echo(IoRange.pio(0x3c, 4)));
        assertEquals(3, bus.mappings().size());
    }

    @Test
    void lookupFindsEveryRangeAmongMany() throws Exception {
        for (int i = 0; i < 100; i++) bus.add(new Echo(IoRange.pio(i * 16, 8)));
        for (int i = 0; i < 100; i++) {
            assertTrue(bus.read(AddressSpace.PIO, i * 16 + 7, 1, out));
            assertFalse(bus.read(AddressSpace.PIO, i * 16 + 8, 1, out));
        }
    }

    @Test
    void readValuesAreMaskedToTheAccessSize() throws Exception {
        bus.add(new IoDevice() {
            public List<IoRange> ranges() { return List.of(IoRange.pio(0x70, 2)); }

            public long read(IoRange r, long offset, int size) { return -1L; }
        });
        assertTrue(bus.read(AddressSpace.PIO, 0x70, 2, out));
        assertEquals(0xFFFF, out[0]);
    }

    @Test
    void throwingDeviceGivesOpenBusAndTheBusGoesOn() throws Exception {
        bus.add(new IoDevice() {
            public List<IoRange> ranges() { return List.of(IoRange.pio(0x70, 2)); }

            public long read(IoRange r, long offset, int size) { throw new IllegalStateException("broken model"); }
        });
        assertTrue(bus.read(AddressSpace.PIO, 0x70, 1, out));
        assertEquals(0xFF, out[0]);
    }

    @Test
    void removeWaitsForAccessesInFlight() throws Exception {
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        IoDevice slow = new IoDevice() {
            public List<IoRange> ranges() { return List.of(IoRange.pio(0x500, 1)); }

            public long read(IoRange r, long offset, int size) {
                inside.countDown();
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                return 7;
            }
        };
        bus.add(slow);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            Future<Long> read = pool.submit(() -> {
                long[] r = new long[1];
                bus.read(AddressSpace.PIO, 0x500, 1, r);
                return r[0];
            });
            assertTrue(inside.await(5, TimeUnit.SECONDS));
            Future<Boolean> removal = pool.submit(() -> bus.remove(slow));
            Thread.sleep(100);
            assertFalse(removal.isDone(), "remove must wait for the read in flight");
            release.countDown();
            assertEquals(7L, read.get(5, TimeUnit.SECONDS));
            assertTrue(removal.get(5, TimeUnit.SECONDS));
            assertFalse(bus.read(AddressSpace.PIO, 0x500, 1, out));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void ioRangeRejectsNonsense() {
        assertThrows(IllegalArgumentException.class, () -> IoRange.pio(0xfff0, 0x20));
        assertThrows(IllegalArgumentException.class, () -> IoRange.mmio(0x1000, 0));
        assertThrows(IllegalArgumentException.class, () -> IoRange.mmio(-4096, 8192));
    }
}
