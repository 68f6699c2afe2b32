/** Guest images the VMM can boot, the long-mode boot state of docs/guest-contract.md, and kernel loaders (1.2: {@link pcm.core.api.guest.KernelLoader}). */
@Version("1.2.0")
package pcm.core.api.guest;

import org.osgi.annotation.versioning.Version;
