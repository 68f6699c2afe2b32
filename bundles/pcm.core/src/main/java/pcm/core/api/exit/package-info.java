/** Exit dispatch: handlers chosen by exit kind and service.ranking (whiteboard). */
@Version("1.1.0")
package pcm.core.api.exit;

import org.osgi.annotation.versioning.Version;
