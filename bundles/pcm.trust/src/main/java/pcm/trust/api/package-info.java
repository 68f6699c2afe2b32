/**
 * Which bundle jars PCM takes: the signing policy for drop-ins ({@code <data>/deploy/}) and firmware updates, checked
 * before anything is installed (standard JAR signing, a signer chaining to PCM's trust store).
 */
@Version("1.0.0")
package pcm.trust.api;

import org.osgi.annotation.versioning.Version;
