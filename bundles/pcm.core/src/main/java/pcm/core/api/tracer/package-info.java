/**
 * Tracer hardware (memory tracer, I/O tracer) and their emulations.
 * 1.1: {@link pcm.core.api.tracer.TraceWindow} (arm with the window's hooks), {@link pcm.core.api.tracer.TraceData},
 * {@link pcm.core.api.tracer.Trace} (a stored trace), memory-access and I/O-transaction listeners.
 */
@Version("1.1.0")
package pcm.core.api.tracer;

import org.osgi.annotation.versioning.Version;
