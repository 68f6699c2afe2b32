package pcm.irq.api;

import org.osgi.annotation.versioning.ProviderType;

/** An IOAPIC's input pins (global system interrupts from its base). */
@ProviderType
public interface IoApic {

    /** Number of redirection entries (pins). */
    int pins();

    /**
     * Asserts or deasserts an input pin; pins outside the IOAPIC are ignored. The level is logical, whatever the
     * redirection entry's polarity says about the wire (an ISA line is active high, a PCI INTx line active low): a
     * device model signals its interrupt, it does not model the electrical level — as KVM's and QEMU's IOAPICs
     * take their inputs. (Before 1.1 this was the electrical level, so an active-low entry inverted it, and a PCI
     * device sharing an ISA IRQ that the kernel programs active low would interrupt while idle.)
     */
    void setPin(int pin, boolean asserted);

    /** The pin an ISA IRQ (0–15) arrives at: the interrupt source overrides the MADT describes (IRQ 0 → 2). */
    int pinOfIsaIrq(int isaIrq);
}
