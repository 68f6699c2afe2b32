/**
 * PCM's firmware: its bundles as an inventory of active and previous versions, installing or updating one from a jar
 * that is checked first, and rolling an update back, without stopping a running guest. For the shell, the Redfish
 * {@code UpdateService} and other bundles.
 */
@Version("1.1.0")
package pcm.ui.api.firmware;

import org.osgi.annotation.versioning.Version;
