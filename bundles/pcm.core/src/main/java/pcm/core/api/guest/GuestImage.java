package pcm.core.api.guest;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A bootable guest image. The embedded default guest is one; its boot contract is
 * docs/guest-contract.md (flat image, 64-bit entry, boot info at 0x8000).
 */
@ConsumerType
public interface GuestImage {

    /** Service property: the image name the VM configuration selects. */
    String NAME = "pcm.guest.name";

    String name();

    /** The flat image bytes (a fresh copy). */
    byte[] image();

    /** Guest physical address the image is loaded at. */
    long loadAddress();

    /** 64-bit entry point. */
    long entryPoint();

    /** SHA-256 of {@link #image()}, hex. */
    String sha256();
}
