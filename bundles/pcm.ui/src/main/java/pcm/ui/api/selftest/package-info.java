/** PCM's self-test: the checks a firmware runs to prove its checker checks, for the shell, the API and other bundles. */
@Version("1.0.0")
package pcm.ui.api.selftest;

import org.osgi.annotation.versioning.Version;
