/** Guest images the VMM can boot, and the long-mode boot state of docs/guest-contract.md. */
@Version("1.1.0")
package pcm.core.api.guest;

import org.osgi.annotation.versioning.Version;
