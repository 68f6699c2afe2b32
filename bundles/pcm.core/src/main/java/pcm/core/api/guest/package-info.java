/** Guest images the VMM can boot. */
@Version("1.0.0")
package pcm.core.api.guest;

import org.osgi.annotation.versioning.Version;
