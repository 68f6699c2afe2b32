package pcm.core.internal.bus;

import java.util.concurrent.locks.ReentrantReadWriteLock;

import pcm.core.api.bus.IoDevice;
import pcm.core.api.bus.IoRange;

/**
 * A range on the bus and the device serving it. Accesses hold the device's read lock; removal
 * takes the write lock, so it waits for accesses in flight and no access starts after it.
 */
record BusEntry(IoRange range, IoDevice device, DeviceGate gate) {

    /** One per device, shared by all of its ranges. */
    static final class DeviceGate {
        private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        private volatile boolean removed;

        boolean enter() {
            lock.readLock().lock();
            if (removed) {
                lock.readLock().unlock();
                return false;
            }
            return true;
        }

        void exit() {
            lock.readLock().unlock();
        }

        /** Waits for accesses in flight, then closes the gate for good. */
        void close() {
            lock.writeLock().lock();
            try {
                removed = true;
            } finally {
                lock.writeLock().unlock();
            }
        }
    }
}
