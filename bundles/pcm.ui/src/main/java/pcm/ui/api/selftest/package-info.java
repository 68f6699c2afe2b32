/** PCM's self-test: the checks a firmware runs to prove its checker checks, for the shell, the API and other bundles.
 * 1.1: {@link pcm.ui.api.selftest.SelfTest#run(java.util.function.Consumer)} reports each check as it is decided. */
@Version("1.1.0")
package pcm.ui.api.selftest;

import org.osgi.annotation.versioning.Version;
