/**
 * Guest memory tools over {@link pcm.core.api.memory.GuestMemory}: the x86-64 page walker
 * ({@link pcm.mmu.api.PageWalker}), dirty-page tracking ({@link pcm.mmu.api.DirtyPageTracker}),
 * page hashes ({@link pcm.mmu.api.MemoryHasher}) and full copies ({@link pcm.mmu.api.MemoryCopy}).
 * Pure Java; guest RAM itself comes from the {@code GuestMemoryProvider} service of this bundle.
 */
@Version("1.0.0")
package pcm.mmu.api;

import org.osgi.annotation.versioning.Version;
