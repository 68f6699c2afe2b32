package pcm.mmu.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.core.api.memory.GuestMemoryProvider.AllocatedMemory;
import pcm.core.api.memory.GuestMemoryProvider.RegionSpec;

/**
 * Guest RAM in anonymous shared mappings that it owns.
 *
 * <p>All region segments belong to one shared {@link Arena}. {@link #close()} first closes the
 * arena — after which every segment handed out (by {@link #regions()} or {@link #slice}) fails
 * with {@link IllegalStateException} and every access method with a {@code GuestMemoryException};
 * the JDK's arena handshake guarantees no thread is still inside an access — and only then unmaps
 * the host memory. A backend that gave the host address to the kernel (KVM memory slots) must
 * remove the slot or close the VM before closing the memory.
 */
final class MappedGuestMemory extends SegmentGuestMemory implements AllocatedMemory {

    private static final Logger LOG = LoggerFactory.getLogger(MappedGuestMemory.class);

    private final Arena arena;
    private final long[] addresses;
    private final long[] lengths;
    private boolean closed;

    private MappedGuestMemory(List<MemoryRegion> regions, Arena arena, long[] addresses, long[] lengths) {
        super(regions);
        this.arena = arena;
        this.addresses = addresses;
        this.lengths = lengths;
    }

    /** Maps every region (sorted by address, already checked); unmaps what was mapped if one fails. */
    @SuppressWarnings("restricted") // wraps the fresh mapping in a segment of exactly its size
    static MappedGuestMemory map(List<RegionSpec> sorted) {
        Arena arena = Arena.ofShared();
        long[] addresses = new long[sorted.size()];
        long[] lengths = new long[sorted.size()];
        List<MemoryRegion> regions = new ArrayList<>(sorted.size());
        int mapped = 0;
        try {
            for (RegionSpec spec : sorted) {
                long address = Libc.mmapAnonymousShared(spec.size());
                addresses[mapped] = address;
                lengths[mapped] = spec.size();
                mapped++;
                MemorySegment host = MemorySegment.ofAddress(address).reinterpret(spec.size(), arena, null);
                regions.add(new MemoryRegion(regions.size(), spec.gpa(), spec.size(), host));
            }
            return new MappedGuestMemory(regions, arena, addresses, lengths);
        } catch (RuntimeException | Error e) {
            arena.close();
            for (int i = 0; i < mapped; i++) {
                try {
                    Libc.munmap(addresses[i], lengths[i]);
                } catch (RuntimeException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    /** Idempotent; see the class comment for ordering. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        arena.close(); // throws (and leaves the memory mapped) if a downcall is using a segment right now
        closed = true;
        RuntimeException failure = null;
        for (int i = 0; i < addresses.length; i++) {
            try {
                Libc.munmap(addresses[i], lengths[i]);
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        LOG.debug("unmapped {}", this);
        if (failure != null) {
            throw failure;
        }
    }
}
