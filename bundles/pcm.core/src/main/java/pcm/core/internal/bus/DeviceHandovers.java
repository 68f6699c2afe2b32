package pcm.core.internal.bus;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.core.api.bus.AddressSpace;
import pcm.core.api.bus.IoRange;
import pcm.core.api.bus.StatefulDevice;

/**
 * The states of stateful devices that left the bus and wait for their successor ({@link StatefulDevice}).
 * Not thread-safe: {@link RangeBus} calls it under its change lock, which is also the monitor accesses wait on.
 */
final class DeviceHandovers {

    private static final Logger LOG = LoggerFactory.getLogger(DeviceHandovers.class);

    /** A departed device's ranges and state; {@code state} is null while the predecessor is still saving it. */
    static final class Handover {
        final String id;
        final String from;
        final List<IoRange> ranges;
        final long deadlineNanos;
        byte[] state;

        Handover(String id, String from, List<IoRange> ranges, long deadlineNanos) {
            this.id = id;
            this.from = from;
            this.ranges = ranges;
            this.deadlineNanos = deadlineNanos;
        }

        boolean covers(AddressSpace space, long address) {
            for (IoRange r : ranges) {
                if (r.space() == space && Long.compareUnsigned(address, r.base()) >= 0
                        && Long.compareUnsigned(address, r.end()) < 0) return true;
            }
            return false;
        }
    }

    private final Map<String, Handover> pending = new HashMap<>();
    private final long timeoutNanos;

    DeviceHandovers(long timeoutNanos) {
        this.timeoutNanos = timeoutNanos;
    }

    boolean isEmpty() {
        return pending.isEmpty();
    }

    int size() {
        return pending.size();
    }

    /** A stateful device left the bus: its successor is awaited from now on. */
    Handover departed(StatefulDevice device, String id, List<IoRange> ranges) {
        Handover h = new Handover(id, device.name(), ranges, System.nanoTime() + timeoutNanos);
        Handover old = pending.put(id, h);
        if (old != null) LOG.warn("device state {} of {} replaced by that of {} before a successor took it", id, old.from, h.from);
        return h;
    }

    /** The predecessor could not save its state: its successor starts from reset. */
    void saveFailed(Handover h) {
        pending.remove(h.id, h);
    }

    /** The waiting hand-over covering an address, dropping ones past their time; null if none. */
    Handover covering(AddressSpace space, long address) {
        long now = System.nanoTime();
        for (Handover h : List.copyOf(pending.values())) {
            if (now - h.deadlineNanos >= 0) {
                pending.remove(h.id, h);
                LOG.warn("device state {} of {} forfeited: no device with that id arrived within {} ms; its ranges are open bus",
                        h.id, h.from, timeoutNanos / 1_000_000);
            } else if (h.covers(space, address)) {
                return h;
            }
        }
        return null;
    }

    /**
     * A device arrives: if it is the successor of a waiting hand-over (same id, in time), it takes the state
     * before anything can access it. A state it cannot read leaves it in its reset state (logged), not refused.
     */
    void arrived(StatefulDevice device) {
        String id = device.stateId();
        Handover h = pending.remove(id);
        if (h == null) return;
        if (System.nanoTime() - h.deadlineNanos >= 0) {
            LOG.warn("device {} arrived after the hand-over time of state {} ({} ms): it starts from reset", device.name(), id,
                    timeoutNanos / 1_000_000);
            return;
        }
        if (h.state == null) {
            LOG.warn("device {} arrived while {} was still saving state {}: it starts from reset", device.name(), h.from, id);
            return;
        }
        try {
            device.restoreState(h.state.clone());
            LOG.info("device {} took over state {} ({} bytes) from {}", device.name(), id, h.state.length, h.from);
        } catch (IllegalArgumentException e) {
            LOG.warn("device {} could not take over state {} from {}: {}; it starts from reset", device.name(), id, h.from,
                    e.getMessage());
        } catch (RuntimeException e) {
            LOG.error("device {} failed restoring state {} from {}; it starts from reset", device.name(), id, h.from, e);
        }
    }
}
