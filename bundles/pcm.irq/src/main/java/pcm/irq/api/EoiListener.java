package pcm.irq.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * Receives the local APIC's EOI of a level-triggered vector (the broadcast EOI): an IOAPIC clears the Remote
 * IRR of the pins routed to that vector and delivers again if the line is still asserted.
 */
@ConsumerType
public interface EoiListener {
    void endOfInterrupt(int vector);
}
