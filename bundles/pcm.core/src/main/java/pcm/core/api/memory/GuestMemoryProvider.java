package pcm.core.api.memory;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/** Allocates guest RAM (a service of the memory bundle). */
@ProviderType
public interface GuestMemoryProvider {

    /** A RAM region to allocate: {@code size} bytes at guest physical {@code gpa}, page aligned. */
    record RegionSpec(long gpa, long size) {}

    /** Allocates zeroed, page-aligned, non-overlapping regions; the caller closes the result. */
    AllocatedMemory allocate(List<RegionSpec> regions);

    /**
     * A full copy of {@code memory} as it is now (call it while the vCPUs are stopped or paused).
     * {@link pcm.core.api.verify.MemoryImage#pageHash} of the copy is XXH64 (seed 0) of the 4 KiB
     * page at guest physical address {@code pageNumber << 12}.
     */
    pcm.core.api.verify.MemoryImage snapshot(GuestMemory memory);

    /** Guest memory that owns its host mappings. */
    interface AllocatedMemory extends GuestMemory, AutoCloseable {
        @Override
        void close();
    }
}
