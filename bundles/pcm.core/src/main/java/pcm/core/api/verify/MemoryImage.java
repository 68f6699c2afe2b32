package pcm.core.api.verify;

import org.osgi.annotation.versioning.ProviderType;

/** Guest memory as captured in a snapshot (a full copy, or pages plus hashes). */
@ProviderType
public interface MemoryImage {

    long size();

    /** Copies bytes of the captured memory; throws if the image does not hold them. */
    void read(long gpa, byte[] dst, int offset, int length);

    /** A hash of the 4 KiB page at {@code pageNumber} (comparable between images). */
    long pageHash(long pageNumber);
}
