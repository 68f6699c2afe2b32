/**
 * Sampling windows: the sampling state machine (after the RCP command protocol), sampling
 * policies, and position services that count retired instructions exactly on each kind of host.
 * 1.4: {@link pcm.core.api.sampling.Sampler#windowFiles} and {@link pcm.core.api.sampling.Sampler#holdForImport}
 * (a window's files with the page-store pages it names, for moving windows between stores).
 * 1.5: {@link pcm.core.api.sampling.WindowInfo#traces()} (the tracers armed for a window).
 */
@Version("1.5.0")
package pcm.core.api.sampling;

import org.osgi.annotation.versioning.Version;
