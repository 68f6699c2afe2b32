/** The I/O bus: port-I/O and MMIO device emulators on non-overlapping address ranges. */
@Version("1.1.0")
package pcm.core.api.bus;

import org.osgi.annotation.versioning.Version;
