package pcm.mmu.internal;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.osgi.service.component.annotations.Component;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.core.api.memory.GuestMemoryProvider;

/**
 * Allocates guest RAM as anonymous shared mappings ({@code MAP_SHARED|MAP_ANONYMOUS|MAP_NORESERVE}):
 * zeroed, page aligned, committed lazily by the kernel, and shareable with KVM memory slots. Each
 * region becomes one memory slot, numbered in address order from 0.
 */
@Component(service = GuestMemoryProvider.class)
public final class MmapGuestMemoryProvider implements GuestMemoryProvider {

    private static final Logger LOG = LoggerFactory.getLogger(MmapGuestMemoryProvider.class);

    /**
     * @throws IllegalArgumentException if a region is empty, not page aligned or overlaps another
     * @throws IllegalStateException    if the kernel refuses a mapping (the message carries errno)
     */
    @Override
    public AllocatedMemory allocate(List<RegionSpec> regions) {
        List<RegionSpec> sorted = new ArrayList<>(regions);
        sorted.sort(Comparator.comparingLong(RegionSpec::gpa));
        SegmentGuestMemory.checkLayout(sorted);
        MappedGuestMemory memory = MappedGuestMemory.map(sorted);
        LOG.debug("mapped {}", memory);
        return memory;
    }

    /** A heap copy: snapshots outlive the VM whose memory they copy. */
    @Override
    public pcm.core.api.verify.MemoryImage snapshot(pcm.core.api.memory.GuestMemory memory) {
        return pcm.mmu.api.MemoryCopy.of(memory);
    }
}
