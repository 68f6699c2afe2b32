package pcm.core.api.exit;

import org.osgi.annotation.versioning.ProviderType;

import pcm.core.api.memory.GuestMemory;

/** What a handler may see of the vCPU the exit came from. Valid only during {@code handle}. */
@ProviderType
public interface ExitContext {

    int vcpuId();

    /** Guest memory, for handlers that need to read or write guest data (bounds-checked). */
    GuestMemory memory();

    /** Instructions retired since boot if the backend counts them exactly, else -1. */
    long instructionCount();
}
