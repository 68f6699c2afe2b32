package pcm.devices.internal.virtio;

/**
 * Something the driver programmed makes a queue unusable (a descriptor index beyond the table, a loop, a ring
 * outside RAM, ...). The transport answers it as the architecture says, with DEVICE_NEEDS_RESET; it never
 * leaves the device.
 */
public final class VirtioException extends Exception {
    private static final long serialVersionUID = 1L;

    public VirtioException(String message) {
        super(message);
    }
}
