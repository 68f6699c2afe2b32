/** Events the kernel logs (nondeterministic inputs, state transitions) and their sinks. */
@Version("1.2.0")
package pcm.core.api.event;

import org.osgi.annotation.versioning.Version;
