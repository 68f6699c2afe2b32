/** Exit dispatch: handlers chosen by exit kind and service.ranking (whiteboard). */
@Version("1.0.0")
package pcm.core.api.exit;

import org.osgi.annotation.versioning.Version;
