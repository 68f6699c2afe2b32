/**
 * Sampling windows: the sampling state machine (after the RCP command protocol), sampling
 * policies, and position services that count retired instructions exactly on each kind of host.
 */
@Version("1.3.0")
package pcm.core.api.sampling;

import org.osgi.annotation.versioning.Version;
