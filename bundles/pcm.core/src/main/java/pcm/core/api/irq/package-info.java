/** Interrupt controller contract used by devices and by the vCPU run loop. */
@Version("1.0.0")
package pcm.core.api.irq;

import org.osgi.annotation.versioning.Version;
