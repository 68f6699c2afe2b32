/** Replay verification: RCP variants (verifiers), replay strategies and verdicts. */
@Version("1.5.0")
package pcm.core.api.verify;

import org.osgi.annotation.versioning.Version;
