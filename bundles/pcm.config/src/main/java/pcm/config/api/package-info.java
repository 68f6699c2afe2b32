/**
 * PCM's settings: the configuration PIDs that have metatype, their typed attributes with current values, and changing
 * them validated, persisted to {@code <data>/conf/} and applied. One service ({@link pcm.config.api.Settings}) for the
 * shell ({@code pcm:config}), the Redfish API and the web console.
 */
@Version("1.0.0")
package pcm.config.api;

import org.osgi.annotation.versioning.Version;
