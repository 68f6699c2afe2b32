package pcm.irq.api;

import org.osgi.annotation.versioning.ProviderType;

/** An IOAPIC's input pins (global system interrupts from its base). */
@ProviderType
public interface IoApic {

    /** Number of redirection entries (pins). */
    int pins();

    /** Sets the electrical level of an input pin; pins outside the IOAPIC are ignored. */
    void setPin(int pin, boolean high);

    /** The pin an ISA IRQ (0–15) arrives at: the interrupt source overrides the MADT describes (IRQ 0 → 2). */
    int pinOfIsaIrq(int isaIrq);
}
