package pcm.core.internal.vm;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.ReentrantReadWriteLock;

import pcm.core.api.memory.GuestMemory;
import pcm.core.api.memory.GuestMemoryException;

/**
 * The guest memory devices and exit handlers get ({@code Platform.memory()},
 * {@code ExitContext.memory()}): the VM's memory, plus DMA recording while a sampling window is
 * open. A write on the vCPU thread (an exit handler) lands at once and is recorded at the current
 * position. A write from any other thread (a device's own thread) is held back and applied by the
 * vCPU thread at its next boundary, where it is recorded — so every DMA write has an exact
 * position. Such a device sees its deferred bytes in guest memory once the vCPU took them (within
 * one kick). Outside windows every write lands at once. While a window is open {@link #slice}
 * returns read-only views: writes that bypass this API could not be recorded.
 */
public final class WindowMemory implements GuestMemory {

    private record Deferred(long gpa, byte[] data) {}

    private final GuestMemory delegate;
    private final ReentrantReadWriteLock gate = new ReentrantReadWriteLock();
    private final ConcurrentLinkedQueue<Deferred> deferred = new ConcurrentLinkedQueue<>();
    private volatile WindowProbe probe;
    private volatile Thread vcpuThread;
    private volatile Runnable wake = () -> { };

    public WindowMemory(GuestMemory delegate) {
        this.delegate = delegate;
    }

    /** The memory without recording (snapshots, the loader). */
    public GuestMemory unwrapped() { return delegate; }

    void bind(Thread vcpu, Runnable wakeVcpu) {
        this.vcpuThread = vcpu;
        this.wake = wakeVcpu;
    }

    /** Runs {@code open} with device DMA held off, then records DMA to {@code p} from here on. */
    void attach(WindowProbe p, OpenAction open) throws Exception {
        gate.writeLock().lock();
        try {
            applyDeferred();
            open.run();
            probe = p;
        } finally {
            gate.writeLock().unlock();
        }
    }

    interface OpenAction {
        void run() throws Exception;
    }

    /** Stops recording; writes still held back land now (after the window). */
    void detach() {
        gate.writeLock().lock();
        try {
            applyDeferred();
            probe = null;
        } finally {
            gate.writeLock().unlock();
        }
    }

    /** Runs {@code close} (the final snapshot) with device DMA held off, then stops recording. */
    void detachAfter(CloseAction close) throws pcm.core.api.cpu.BackendException {
        gate.writeLock().lock();
        try {
            try {
                close.run();
            } finally {
                probe = null;
                applyDeferred();
            }
        } finally {
            gate.writeLock().unlock();
        }
    }

    interface CloseAction {
        void run() throws pcm.core.api.cpu.BackendException;
    }

    /** On the vCPU thread, between runs: applies (and records) device writes held back. */
    void applyDeferred() {
        Deferred d;
        while ((d = deferred.poll()) != null) {
            delegate.write(d.gpa(), d.data(), 0, d.data().length);
            WindowProbe p = probe;
            if (p != null) p.dmaWrite(d.gpa(), d.data(), 0, d.data().length);
        }
    }

    boolean hasDeferred() { return !deferred.isEmpty(); }

    // ---------------------------------------------------------------- writes

    /**
     * Outside windows with nothing held back (the usual case) a write goes straight to guest memory; the check is
     * repeated under the gate so that a window cannot open between check and write. False: the caller records.
     */
    private boolean writeThrough(java.util.function.Consumer<GuestMemory> write) {
        if (probe != null || !deferred.isEmpty()) return false;
        gate.readLock().lock();
        try {
            if (probe != null) return false;
            write.accept(delegate);
            return true;
        } finally {
            gate.readLock().unlock();
        }
    }

    @Override
    public void write(long gpa, byte[] src, int offset, int length) {
        if (writeThrough(m -> m.write(gpa, src, offset, length))) return;
        if (Thread.currentThread() == vcpuThread) {
            applyDeferred();
            delegate.write(gpa, src, offset, length);
            WindowProbe p = probe;
            if (p != null) p.dmaWrite(gpa, src, offset, length);
            return;
        }
        if (!delegate.isRam(gpa, length)) {
            throw new GuestMemoryException(gpa, length, "DMA outside guest RAM");
        }
        byte[] copy = java.util.Arrays.copyOfRange(src, offset, offset + length);
        gate.readLock().lock();
        try {
            if (probe == null && deferred.isEmpty()) {
                delegate.write(gpa, copy, 0, length);
                return;
            }
            deferred.add(new Deferred(gpa, copy));
        } finally {
            gate.readLock().unlock();
        }
        wake.run();
    }

    @Override
    public void writeByte(long gpa, byte value) {
        if (writeThrough(m -> m.writeByte(gpa, value))) return;
        write(gpa, new byte[] {value}, 0, 1);
    }

    @Override
    public void writeInt(long gpa, int value) {
        if (writeThrough(m -> m.writeInt(gpa, value))) return; // little-endian by the GuestMemory contract
        byte[] b = new byte[4];
        for (int i = 0; i < 4; i++) b[i] = (byte) (value >>> (8 * i));
        write(gpa, b, 0, 4);
    }

    @Override
    public void writeLong(long gpa, long value) {
        if (writeThrough(m -> m.writeLong(gpa, value))) return;
        byte[] b = new byte[8];
        for (int i = 0; i < 8; i++) b[i] = (byte) (value >>> (8 * i));
        write(gpa, b, 0, 8);
    }

    @Override
    public MemorySegment slice(long gpa, long length) {
        MemorySegment s = delegate.slice(gpa, length);
        return probe == null ? s : s.asReadOnly();
    }

    // ---------------------------------------------------------------- reads

    @Override
    public List<MemoryRegion> regions() { return delegate.regions(); }

    @Override
    public long size() { return delegate.size(); }

    @Override
    public boolean isRam(long gpa, long length) { return delegate.isRam(gpa, length); }

    @Override
    public void read(long gpa, byte[] dst, int offset, int length) { delegate.read(gpa, dst, offset, length); }

    @Override
    public byte readByte(long gpa) { return delegate.readByte(gpa); }

    @Override
    public int readInt(long gpa) { return delegate.readInt(gpa); }

    @Override
    public long readLong(long gpa) { return delegate.readLong(gpa); }
}
