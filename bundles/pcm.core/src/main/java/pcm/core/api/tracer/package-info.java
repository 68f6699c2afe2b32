/** Tracer hardware (memory tracer, I/O tracer) and their emulations. */
@Version("1.0.0")
package pcm.core.api.tracer;

import org.osgi.annotation.versioning.Version;
