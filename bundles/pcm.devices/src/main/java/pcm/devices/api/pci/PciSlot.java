package pcm.devices.api.pci;

import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

import pcm.core.api.memory.GuestMemory;

/** What the host bridge gives a plugged-in {@link PciFunction}: its address, its INTx wire and DMA. */
@ProviderType
public interface PciSlot {

    /** Device number on bus 0 (function 0). */
    int device();

    /** Drives the function's INTx# pin (true = asserted); the bridge ORs shared lines and honours Interrupt Disable. */
    void setInterrupt(boolean asserted);

    /**
     * Guest memory for DMA, bounds-checked and logged by the recorder ({@code Platform.memory()}); empty while no VM
     * runs or while the guest has not enabled bus mastering (command register bit 2).
     */
    Optional<GuestMemory> dma();
}
