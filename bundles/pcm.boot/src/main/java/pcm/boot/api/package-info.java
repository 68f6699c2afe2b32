/**
 * Linux boot and firmware (issue 14 item 2): what a bzImage's setup header says, how its payload is
 * compressed, the platform the firmware tables describe, the e820 map, and the typed error of an image
 * that cannot be booted. The loader itself is the {@link pcm.core.api.guest.KernelLoader} service.
 */
@Version("1.2.0")
package pcm.boot.api;

import org.osgi.annotation.versioning.Version;
