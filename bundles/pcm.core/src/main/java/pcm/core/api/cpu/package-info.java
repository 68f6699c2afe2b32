/** The vCPU SPI implemented by CPU backends (KVM, software CPU): VM, vCPU, registers. */
@Version("1.2.0")
package pcm.core.api.cpu;

import org.osgi.annotation.versioning.Version;
