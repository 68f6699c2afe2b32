package pcm.core.api.irq;

import org.osgi.annotation.versioning.ProviderType;

/**
 * The platform's interrupt controller as the vCPU loop and devices see it (the PIC pair, later
 * IOAPIC/LAPIC). PCM injects interrupts itself so every injection happens at a point it controls.
 */
@ProviderType
public interface InterruptController {

    /** Sets the level of an ISA IRQ line (0–15). An edge-triggered input reacts to low→high. */
    void setIrq(int line, boolean high);

    /** Raises and lowers a line: one edge, for edge-triggered sources like the PIT. */
    default void pulseIrq(int line) {
        setIrq(line, true);
        setIrq(line, false);
    }

    /** True if an interrupt is waiting to be delivered to the CPU. */
    boolean hasPendingInterrupt();

    /**
     * The interrupt-acknowledge cycle: returns the vector to inject and updates the controller's
     * in-service state, or -1 if nothing is pending anymore.
     */
    int acknowledge();

    /** Called (on the raising thread) whenever an interrupt becomes pending; the VMM kicks its vCPU. */
    void setPendingListener(Runnable listener);
}
