package pcm.devices.internal.virtio;

import java.util.List;

import pcm.core.api.memory.GuestMemory;
import pcm.core.api.memory.GuestMemoryException;

/**
 * The buffers of one request: the device-readable ones first, then the device-writable ones, each checked to lie in
 * RAM when the chain was walked. Data moves only through {@link GuestMemory} (bounds-checked, and logged as DMA while
 * a sampling window records), addressed by the byte offset into the readable or the writable part.
 */
public final class DescriptorChain {

    /** One descriptor's buffer. */
    public record Segment(long address, long length, boolean writable) {}

    private final GuestMemory memory;
    private final int head;
    private final List<Segment> readable;
    private final List<Segment> writable;
    private final long readableBytes, writableBytes;

    DescriptorChain(GuestMemory memory, int head, List<Segment> readable, List<Segment> writable) {
        this.memory = memory;
        this.head = head;
        this.readable = List.copyOf(readable);
        this.writable = List.copyOf(writable);
        this.readableBytes = readable.stream().mapToLong(Segment::length).sum();
        this.writableBytes = writable.stream().mapToLong(Segment::length).sum();
    }

    public int head() { return head; }

    public long readableBytes() { return readableBytes; }

    public long writableBytes() { return writableBytes; }

    public List<Segment> readable() { return readable; }

    public List<Segment> writable() { return writable; }

    /** Copies {@code length} bytes from offset {@code from} of the readable part. */
    public void read(long from, byte[] dst, int offset, int length) throws VirtioException {
        if (from < 0 || length < 0 || from + length > readableBytes) {
            throw new VirtioException("read of " + length + " bytes at " + from + " beyond the " + readableBytes + " readable bytes");
        }
        transfer(readable, from, dst, offset, length, false);
    }

    /** Copies {@code length} bytes to offset {@code to} of the writable part (a DMA write into the guest). */
    public void write(long to, byte[] src, int offset, int length) throws VirtioException {
        if (to < 0 || length < 0 || to + length > writableBytes) {
            throw new VirtioException("write of " + length + " bytes at " + to + " beyond the " + writableBytes + " writable bytes");
        }
        transfer(writable, to, src, offset, length, true);
    }

    private void transfer(List<Segment> segments, long at, byte[] buf, int offset, int length, boolean toGuest) throws VirtioException {
        long skip = at;
        int done = 0;
        for (Segment s : segments) {
            if (done == length) break;
            if (skip >= s.length()) {
                skip -= s.length();
                continue;
            }
            int n = (int) Math.min(s.length() - skip, length - done);
            try {
                if (toGuest) memory.write(s.address() + skip, buf, offset + done, n);
                else memory.read(s.address() + skip, buf, offset + done, n);
            } catch (GuestMemoryException e) {
                throw new VirtioException("buffer at 0x" + Long.toHexString(s.address()) + ": " + e.getMessage());
            }
            done += n;
            skip = 0;
        }
    }
}
