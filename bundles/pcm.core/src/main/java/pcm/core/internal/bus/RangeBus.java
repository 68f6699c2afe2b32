package pcm.core.internal.bus;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.core.api.bus.AddressSpace;
import pcm.core.api.bus.IoBus;
import pcm.core.api.bus.IoDevice;
import pcm.core.api.bus.IoRange;
import pcm.core.api.bus.IoRangeConflictException;
import pcm.core.api.bus.StatefulDevice;

/**
 * The I/O bus as sorted, non-overlapping range arrays per address space. Lookups binary-search a
 * volatile array (no lock); changes copy the array under a lock. A device that throws is logged
 * and the access completes as an open bus, never taking the vCPU down.
 * <p>
 * Live replacement: when a {@link StatefulDevice} leaves, its state is kept and accesses to its ranges wait (at
 * most the hand-over time) until a device with the same {@code stateId} arrives and has restored it — so the guest
 * sees neither an open bus nor a reset device while a bundle update swaps the implementation.
 */
public final class RangeBus implements IoBus {

    private static final Logger LOG = LoggerFactory.getLogger(RangeBus.class);
    private static final BusEntry[] EMPTY = new BusEntry[0];

    private final Object changeLock = new Object();
    private final Map<IoDevice, BusEntry.DeviceGate> gates = new IdentityHashMap<>();
    private volatile BusEntry[] pio = EMPTY;
    private volatile BusEntry[] mmio = EMPTY;
    private final DeviceHandovers handovers;          // guarded by changeLock
    private volatile boolean handoverPending;         // fast path of read/write: nothing to wait for

    /** A bus whose departed stateful devices wait 5 s for their successor. */
    public RangeBus() {
        this(5_000);
    }

    public RangeBus(long handoverMillis) {
        handovers = new DeviceHandovers(TimeUnit.MILLISECONDS.toNanos(Math.max(0, handoverMillis)));
    }

    @Override
    public void add(IoDevice device) throws IoRangeConflictException {
        List<IoRange> ranges = List.copyOf(device.ranges());
        if (ranges.isEmpty()) throw new IllegalArgumentException("device " + device.name() + " declares no range");
        synchronized (changeLock) {
            if (gates.containsKey(device)) throw new IllegalArgumentException("device " + device.name() + " is already on the bus");
            Map<AddressSpace, List<BusEntry>> next = new EnumMap<>(AddressSpace.class);
            next.put(AddressSpace.PIO, new ArrayList<>(Arrays.asList(pio)));
            next.put(AddressSpace.MMIO, new ArrayList<>(Arrays.asList(mmio)));
            BusEntry.DeviceGate gate = new BusEntry.DeviceGate();
            for (IoRange r : ranges) {
                List<BusEntry> space = next.get(r.space());
                for (BusEntry e : space) {
                    if (e.range().overlaps(r)) throw new IoRangeConflictException(r, e.range(), e.device().name());
                }
                space.add(new BusEntry(r, device, gate));
            }
            if (device instanceof StatefulDevice sd) handovers.arrived(sd);   // state first: no access sees it reset
            gates.put(device, gate);
            publish(next);
            handoverPending = !handovers.isEmpty();
            changeLock.notifyAll();                     // accesses waiting for this successor go on
        }
        LOG.info("device {} on the bus at {}", device.name(), ranges);
    }

    @Override
    public boolean remove(IoDevice device) {
        BusEntry.DeviceGate gate;
        DeviceHandovers.Handover handover = null;
        synchronized (changeLock) {
            gate = gates.remove(device);
            if (gate == null) return false;
            List<IoRange> ranges = Stream.concat(Arrays.stream(pio), Arrays.stream(mmio))
                    .filter(e -> e.device() == device).map(BusEntry::range).toList();
            Map<AddressSpace, List<BusEntry>> next = new EnumMap<>(AddressSpace.class);
            next.put(AddressSpace.PIO, without(pio, device));
            next.put(AddressSpace.MMIO, without(mmio, device));
            if (device instanceof StatefulDevice sd) {
                String id = stateIdOf(sd);
                if (id != null) {
                    handover = handovers.departed(sd, id, ranges);
                    handoverPending = true;             // before the ranges go: no access finds them open in between
                }
            }
            publish(next);
        }
        gate.close();
        if (handover != null) saveFor(handover, (StatefulDevice) device);
        LOG.info("device {} removed from the bus{}", device.name(), handover == null ? "" : "; its state " + handover.id
                + " waits for its successor");
        return true;
    }

    /** Departed stateful devices whose successor is awaited (for tests and diagnostics). */
    int pendingHandovers() {
        synchronized (changeLock) {
            return handovers.size();
        }
    }

    private static String stateIdOf(StatefulDevice device) {
        try {
            return device.stateId();
        } catch (RuntimeException e) {
            LOG.error("device {} failed to name its state; it leaves without a hand-over", device.name(), e);
            return null;
        }
    }

    /** The departed device saves its state (no access in flight any more); waiting accesses keep waiting. */
    private void saveFor(DeviceHandovers.Handover handover, StatefulDevice device) {
        byte[] state = null;
        try {
            state = device.saveState();
        } catch (RuntimeException e) {
            LOG.error("device {} failed to save state {}; its successor starts from reset", device.name(), handover.id, e);
        }
        synchronized (changeLock) {
            if (state == null) handovers.saveFailed(handover);
            else handover.state = state.clone();
            handoverPending = !handovers.isEmpty();
            changeLock.notifyAll();
        }
    }

    /**
     * The entry serving an address with its gate entered, or null (open bus). An address of a departed stateful
     * device waits for the successor, at most until its hand-over time ends.
     */
    private BusEntry enter(AddressSpace space, long address) {
        BusEntry e = find(space, address);
        if (e != null && e.gate().enter()) return e;
        if (!handoverPending) return null;
        synchronized (changeLock) {
            while (true) {
                e = find(space, address);
                if (e != null && e.gate().enter()) return e;
                DeviceHandovers.Handover h = handovers.covering(space, address);
                if (h == null) {
                    handoverPending = !handovers.isEmpty();
                    return null;
                }
                long leftMillis = Math.max(1, (h.deadlineNanos - System.nanoTime()) / 1_000_000);
                try {
                    changeLock.wait(leftMillis);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    return null;
                }
            }
        }
    }

    private static List<BusEntry> without(BusEntry[] entries, IoDevice device) {
        return Arrays.stream(entries).filter(e -> e.device() != device).toList();
    }

    private void publish(Map<AddressSpace, List<BusEntry>> next) {
        Comparator<BusEntry> byBase = Comparator.comparingLong(e -> e.range().base());
        pio = next.get(AddressSpace.PIO).stream().sorted(byBase).toArray(BusEntry[]::new);
        mmio = next.get(AddressSpace.MMIO).stream().sorted(byBase).toArray(BusEntry[]::new);
    }

    /** The entry whose range contains {@code address}, or null. */
    BusEntry find(AddressSpace space, long address) {
        BusEntry[] entries = space == AddressSpace.PIO ? pio : mmio;
        int lo = 0;
        int hi = entries.length - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            IoRange r = entries[mid].range();
            if (Long.compareUnsigned(address, r.base()) < 0) hi = mid - 1;
            else if (Long.compareUnsigned(address, r.end()) >= 0) lo = mid + 1;
            else return entries[mid];
        }
        return null;
    }

    @Override
    public boolean read(AddressSpace space, long address, int size, long[] result) {
        BusEntry e = enter(space, address);
        if (e == null) {
            result[0] = openBus(size);
            return false;
        }
        try {
            result[0] = e.device().read(e.range(), address - e.range().base(), size) & mask(size);
        } catch (RuntimeException ex) {
            LOG.error("device {} failed on a {}-byte read at {} 0x{}; open bus value returned",
                    e.device().name(), size, space, Long.toHexString(address), ex);
            result[0] = openBus(size);
        } finally {
            e.gate().exit();
        }
        return true;
    }

    @Override
    public boolean write(AddressSpace space, long address, int size, long value) {
        BusEntry e = enter(space, address);
        if (e == null) return false;
        try {
            e.device().write(e.range(), address - e.range().base(), size, value & mask(size));
        } catch (RuntimeException ex) {
            LOG.error("device {} failed on a {}-byte write at {} 0x{}; write dropped",
                    e.device().name(), size, space, Long.toHexString(address), ex);
        } finally {
            e.gate().exit();
        }
        return true;
    }

    @Override
    public List<Mapping> mappings() {
        List<Mapping> all = new ArrayList<>();
        for (BusEntry e : pio) all.add(new Mapping(e.range(), e.device()));
        for (BusEntry e : mmio) all.add(new Mapping(e.range(), e.device()));
        return all;
    }

    static long openBus(int size) {
        return mask(size);
    }

    static long mask(int size) {
        return size >= 8 ? -1L : (1L << (size * 8)) - 1;
    }
}
