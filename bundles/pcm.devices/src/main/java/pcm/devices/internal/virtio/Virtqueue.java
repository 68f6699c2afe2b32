package pcm.devices.internal.virtio;

import java.util.ArrayList;
import java.util.List;

import pcm.core.api.memory.GuestMemory;
import pcm.core.api.memory.GuestMemoryException;

/**
 * A split virtqueue (virtio 1.2, 2.7): descriptor table, driver (avail) ring, device (used) ring. Every address the
 * driver gave is checked against RAM before use and every chain is bounded (no more descriptors than the table
 * has, indirect tables not nested), so a driver that programs nonsense gets a {@link VirtioException} — the
 * transport's DEVICE_NEEDS_RESET — never an exception out of the device. Not thread-safe: the transport serialises.
 */
public final class Virtqueue {

    static final int DESC_F_NEXT = 1, DESC_F_WRITE = 2, DESC_F_INDIRECT = 4;
    static final int AVAIL_F_NO_INTERRUPT = 1;
    /** An indirect table of more descriptors than a queue can have is refused. */
    static final int MAX_INDIRECT = 32768;

    /** Consumes one chain; returns the bytes it wrote into the chain's writable part (the used length). */
    @FunctionalInterface
    public interface Handler {
        int handle(DescriptorChain chain) throws VirtioException;
    }

    /** The registers and the device's ring positions: what a save holds. */
    public record State(int size, boolean enabled, long desc, long driver, long device, int lastAvail, int usedIdx) {}

    final int maxSize;
    int size;
    boolean enabled;
    long desc, driver, device;
    int lastAvail, usedIdx;

    public Virtqueue(int maxSize) {
        if (maxSize <= 0 || maxSize > 32768 || Integer.bitCount(maxSize) != 1) throw new IllegalArgumentException("queue size " + maxSize);
        this.maxSize = maxSize;
        reset();
    }

    void reset() {
        size = maxSize;
        enabled = false;
        desc = driver = device = 0;
        lastAvail = usedIdx = 0;
    }

    State save() {
        return new State(size, enabled, desc, driver, device, lastAvail, usedIdx);
    }

    void restore(State s) {
        size = s.size();
        enabled = s.enabled();
        desc = s.desc();
        driver = s.driver();
        device = s.device();
        lastAvail = s.lastAvail() & 0xFFFF;
        usedIdx = s.usedIdx() & 0xFFFF;
    }

    /** The ring layout the driver programmed, checked against the architecture's rules and RAM. */
    void checkLayout(GuestMemory m) throws VirtioException {
        if (size == 0 || Integer.bitCount(size) != 1 || size > maxSize) {
            throw new VirtioException("queue size " + size + " is not a power of two up to " + maxSize);
        }
        if ((desc & 15) != 0 || (driver & 1) != 0 || (device & 3) != 0) {
            throw new VirtioException("misaligned rings: descriptors 0x" + Long.toHexString(desc) + " (16), driver 0x"
                    + Long.toHexString(driver) + " (2), device 0x" + Long.toHexString(device) + " (4)");
        }
        requireRam(m, desc, 16L * size, "descriptor table");
        requireRam(m, driver, 6 + 2L * size, "driver ring");
        requireRam(m, device, 6 + 8L * size, "device ring");
    }

    private static void requireRam(GuestMemory m, long address, long length, String what) throws VirtioException {
        if (address < 0 || !m.isRam(address, length)) {
            throw new VirtioException(what + " at 0x" + Long.toHexString(address) + "+" + length + " is not in RAM");
        }
    }

    /** Consumes every chain the driver made available; returns how many went to the used ring. */
    int drain(GuestMemory m, boolean indirect, Handler handler) throws VirtioException {
        checkLayout(m);
        try {
            int availIdx = u16(m, driver + 2);
            int pending = (availIdx - lastAvail) & 0xFFFF;
            if (pending > size) {
                throw new VirtioException("driver ring index " + availIdx + " is " + pending + " ahead of the device (queue size " + size + ")");
            }
            int used = 0;
            while (lastAvail != availIdx) {
                int head = u16(m, driver + 4 + 2L * (lastAvail % size));
                DescriptorChain chain = walk(m, head, indirect);
                int length = handler.handle(chain);
                long element = device + 4 + 8L * (usedIdx % size);
                m.writeInt(element, head);
                m.writeInt(element + 4, length);
                usedIdx = (usedIdx + 1) & 0xFFFF;
                writeU16(m, device + 2, usedIdx);    // after the element: the driver sees it complete
                lastAvail = (lastAvail + 1) & 0xFFFF;
                used++;
            }
            return used;
        } catch (GuestMemoryException e) {
            throw new VirtioException("ring access: " + e.getMessage());
        }
    }

    /** True if the driver asked not to be interrupted (VIRTQ_AVAIL_F_NO_INTERRUPT; no EVENT_IDX here). */
    boolean interruptSuppressed(GuestMemory m) {
        try {
            return (u16(m, driver) & AVAIL_F_NO_INTERRUPT) != 0;
        } catch (GuestMemoryException e) {
            return false;
        }
    }

    /** Follows a chain from {@code head}, through at most one indirect table, into a {@link DescriptorChain}. */
    DescriptorChain walk(GuestMemory m, int head, boolean indirectAllowed) throws VirtioException {
        if (head >= size) throw new VirtioException("chain head " + head + " beyond the " + size + " descriptors");
        List<DescriptorChain.Segment> readable = new ArrayList<>();
        List<DescriptorChain.Segment> writable = new ArrayList<>();
        long table = desc;
        int tableSize = size;
        int index = head;
        int seen = 0;
        boolean inIndirect = false;
        while (true) {
            if (++seen > tableSize) throw new VirtioException("chain from " + head + " is longer than its table (" + tableSize + "): a loop");
            long d = table + 16L * index;
            long address = m.readLong(d);
            long length = m.readInt(d + 8) & 0xFFFF_FFFFL;
            int flags = u16(m, d + 12);
            int next = u16(m, d + 14);
            if ((flags & DESC_F_INDIRECT) != 0) {
                if (!indirectAllowed) throw new VirtioException("indirect descriptor " + index + " but VIRTIO_F_INDIRECT_DESC was not negotiated");
                if (inIndirect) throw new VirtioException("indirect descriptor inside an indirect table");
                if ((flags & DESC_F_NEXT) != 0) throw new VirtioException("descriptor " + index + " is both INDIRECT and NEXT");
                if (length == 0 || length % 16 != 0 || length / 16 > MAX_INDIRECT) {
                    throw new VirtioException("indirect table of " + length + " bytes (a non-zero multiple of 16 up to " + MAX_INDIRECT + " entries)");
                }
                requireRam(m, address, length, "indirect table");
                table = address;
                tableSize = (int) (length / 16);
                index = 0;
                seen = 0;
                inIndirect = true;
                continue;
            }
            if (length > 0) requireRam(m, address, length, "buffer of descriptor " + index);
            boolean isWritable = (flags & DESC_F_WRITE) != 0;
            if (isWritable) {
                writable.add(new DescriptorChain.Segment(address, length, true));
            } else {
                if (!writable.isEmpty()) throw new VirtioException("device-readable descriptor " + index + " after a device-writable one");
                readable.add(new DescriptorChain.Segment(address, length, false));
            }
            if ((flags & DESC_F_NEXT) == 0) break;
            if (next >= tableSize) throw new VirtioException("descriptor " + index + " links to " + next + " beyond the table (" + tableSize + ")");
            index = next;
        }
        return new DescriptorChain(m, head, readable, writable);
    }

    static int u16(GuestMemory m, long address) {
        byte[] b = new byte[2];
        m.read(address, b, 0, 2);
        return b[0] & 0xFF | (b[1] & 0xFF) << 8;
    }

    static void writeU16(GuestMemory m, long address, int value) {
        m.write(address, new byte[] {(byte) value, (byte) (value >> 8)}, 0, 2);
    }
}
