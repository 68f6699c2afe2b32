package pcm.core.api.vm;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A console device's receive side: bytes from the operator (a terminal, a script, the web console) for the guest.
 * Provided by the serial console device (the 16550's receive FIFO); the device raises its interrupt as the hardware
 * would. The guest reads the bytes through its device registers, so a recorder logs them as ordinary device reads:
 * operator input is a nondeterministic input like any other.
 */
@ProviderType
public interface ConsoleInput {

    /**
     * Offers bytes to the device; returns how many it took (0 when its receive buffer is full: offer the rest again
     * once the guest has read some, as a terminal's flow control would). Thread safe; never blocks on the guest.
     */
    int input(byte[] bytes, int offset, int length);

    /** The device's name in the shell and in logs ({@code com1}). */
    String name();
}
