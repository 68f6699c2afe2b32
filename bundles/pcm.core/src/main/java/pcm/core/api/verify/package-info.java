/**
 * Replay verification: RCP variants (verifiers), replay strategies and verdicts.
 * 1.6: {@link pcm.core.api.verify.Window#traces()} (the window's tracer traces).
 */
@Version("1.6.0")
package pcm.core.api.verify;

import org.osgi.annotation.versioning.Version;
