/** Passthrough backends that assign host devices to the guest (VFIO or simulated). */
@Version("1.0.0")
package pcm.core.api.passthrough;

import org.osgi.annotation.versioning.Version;
