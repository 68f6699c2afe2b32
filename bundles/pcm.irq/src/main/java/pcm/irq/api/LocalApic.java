package pcm.irq.api;

import org.osgi.annotation.versioning.ProviderType;

/**
 * A local APIC as interrupt messages (from the IOAPIC, later MSI) and the vCPU loop see it. The loop asks
 * {@link #hasPendingInterrupt()} and {@link #acknowledge()} as it asks the PIC on a platform without APICs;
 * an interrupt arriving through LINT0 in ExtINT mode (the 8259's output, virtual-wire mode) is part of both.
 */
@ProviderType
public interface LocalApic {

    int DELIVERY_FIXED = 0, DELIVERY_LOWEST_PRIORITY = 1, DELIVERY_SMI = 2, DELIVERY_NMI = 4, DELIVERY_INIT = 5,
            DELIVERY_STARTUP = 6, DELIVERY_EXTINT = 7;

    /**
     * An interrupt message on the APIC bus.
     *
     * @param destination       the 8-bit destination field (0xFF: all)
     * @param logical           logical destination mode (matched against LDR/DFR) instead of the APIC id
     * @param deliveryMode      one of the {@code DELIVERY_} codes
     * @param levelTriggered    level-triggered: the vector's TMR bit is set and its EOI is broadcast
     * @return true if this APIC is addressed and took the message
     */
    boolean deliver(int destination, boolean logical, int deliveryMode, int vector, boolean levelTriggered);

    /** True if an interrupt can be delivered to the CPU now (above the processor priority, or ExtINT). */
    boolean hasPendingInterrupt();

    /** The interrupt-acknowledge cycle: the vector to inject, or -1 if nothing is pending anymore. */
    int acknowledge();

    /** Called (on the raising thread) whenever an interrupt may have become pending. */
    void setPendingListener(Runnable listener);
}
