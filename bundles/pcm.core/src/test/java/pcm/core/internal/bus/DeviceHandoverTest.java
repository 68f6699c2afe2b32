package pcm.core.internal.bus;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import pcm.core.api.bus.AddressSpace;
import pcm.core.api.bus.IoRange;
import pcm.core.api.bus.StatefulDevice;

/** Live replacement of a stateful device on the bus (issue 14 item 5): the guest sees neither a gap nor a reset. */
class DeviceHandoverTest {

    /** A register at port 0x510 that counts its reads; state "reg/1" + the value. */
    static final class Register implements StatefulDevice {
        final String format;
        long value;

        Register(String format) {
            this.format = format;
        }

        @Override public List<IoRange> ranges() { return List.of(IoRange.pio(0x510, 8)); }
        @Override public synchronized long read(IoRange r, long offset, int size) { return value++; }
        @Override public synchronized void write(IoRange r, long offset, int size, long v) { value = v; }
        @Override public String stateId() { return "register@0x510"; }
        @Override public synchronized byte[] saveState() {
            return ByteBuffer.allocate(format.length() + 8).put(format.getBytes()).putLong(value).array();
        }
        @Override public synchronized void restoreState(byte[] s) {
            String f = new String(s, 0, Math.min(format.length(), s.length));
            if (!f.equals(format) || s.length != format.length() + 8) throw new IllegalArgumentException("not " + format + ": " + f);
            value = ByteBuffer.wrap(s, format.length(), 8).getLong();
        }
    }

    private static long read(RangeBus bus) {
        long[] r = new long[1];
        bus.read(AddressSpace.PIO, 0x510, 1, r);
        return r[0];
    }

    @Test
    void theSuccessorTakesTheStateAndAnAccessInTheGapWaitsForIt() throws Exception {
        RangeBus bus = new RangeBus(10_000);
        Register old = new Register("reg/1");
        bus.add(old);
        bus.write(AddressSpace.PIO, 0x510, 1, 41);
        assertEquals(41, read(bus));
        assertTrue(bus.remove(old));
        CompletableFuture<Long> inGap = CompletableFuture.supplyAsync(() -> read(bus));   // the vCPU reads during the swap
        Thread.sleep(100);
        assertFalse(inGap.isDone(), "the access waits for the successor instead of reading an open bus");
        Register successor = new Register("reg/1");
        bus.add(successor);
        assertEquals(42, inGap.get(5, TimeUnit.SECONDS), "answered by the successor, with the predecessor's state");
        assertEquals(43, read(bus));
        assertEquals(42, old.value, "the predecessor is off the bus");
    }

    @Test
    void withoutASuccessorInTimeTheStateIsForfeitedAndTheRangesAreOpenBus() throws Exception {
        RangeBus bus = new RangeBus(200);
        Register old = new Register("reg/1");
        bus.add(old);
        bus.write(AddressSpace.PIO, 0x510, 1, 7);
        bus.remove(old);
        long t0 = System.nanoTime();
        long[] r = new long[1];
        assertFalse(bus.read(AddressSpace.PIO, 0x510, 1, r), "nobody claims it after the hand-over time");
        assertEquals(0xFF, r[0]);
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(150), "it waited for a successor first");
        assertEquals(0, bus.pendingHandovers(), "the state is forfeited: later accesses do not wait again");
        Register late = new Register("reg/1");
        bus.add(late);
        assertEquals(0, read(bus), "a successor after the hand-over time starts from reset");
    }

    @Test
    void aSuccessorThatCannotReadTheStateStartsFromResetAndIsStillOnTheBus() throws Exception {
        RangeBus bus = new RangeBus(10_000);
        Register old = new Register("reg/1");
        bus.add(old);
        bus.write(AddressSpace.PIO, 0x510, 1, 99);
        bus.remove(old);
        Register other = new Register("reg/2");
        bus.add(other);
        assertEquals(0, read(bus));
        assertEquals(1, read(bus));
    }

    @Test
    void aPlainDeviceLeavesNoHandoverAndItsRangesAreOpenAtOnce() throws Exception {
        RangeBus bus = new RangeBus(10_000);
        pcm.core.api.bus.IoDevice plain = new pcm.core.api.bus.IoDevice() {
            @Override public List<IoRange> ranges() { return List.of(IoRange.pio(0x510, 8)); }
            @Override public long read(IoRange r, long offset, int size) { return 5; }
        };
        bus.add(plain);
        assertEquals(5, read(bus));
        bus.remove(plain);
        assertEquals(0, bus.pendingHandovers(), "nothing to wait for");
        long[] r = new long[1];
        assertFalse(bus.read(AddressSpace.PIO, 0x510, 1, r));
        assertArrayEquals(new long[] {0xFF}, r);
    }
}
