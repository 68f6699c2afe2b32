/** The VM model: lifecycle, typed VM exits and their kinds. */
@Version("1.2.0")
package pcm.core.api.vm;

import org.osgi.annotation.versioning.Version;
