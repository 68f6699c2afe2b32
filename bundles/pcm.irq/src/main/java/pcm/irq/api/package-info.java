/**
 * The APIC side of the platform's interrupt routing: the local APIC as messages reach it, the IOAPIC's input
 * pins, and the local APIC's EOI broadcast. Devices keep raising ISA lines through
 * {@code pcm.core.api.irq.InterruptController}; these interfaces connect the controllers to each other.
 */
@Version("1.1.0")
package pcm.irq.api;

import org.osgi.annotation.versioning.Version;
