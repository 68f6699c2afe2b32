/**
 * PCM's settings: the configuration PIDs that have metatype, their typed attributes with current values, and changing
 * them validated, persisted to {@code <data>/conf/} and applied. One service ({@link pcm.config.api.Settings}) for the
 * shell ({@code pcm:config}), the Redfish API and the web console. {@link pcm.config.api.ConfigArchive} (1.1): the whole
 * configuration exported to one file, imported all or nothing, and snapshots of it.
 */
@Version("1.1.0")
package pcm.config.api;

import org.osgi.annotation.versioning.Version;
