/**
 * Evidence bundles: one archive per sampling window that a vendor can replay — the window's files as stored, its
 * verdicts and divergence, the facts of the host that recorded it, and a manifest with the SHA-256 of every member
 * (format: docs/evidence-format.md). Exported, checked and imported for the shell ({@code pcm:evidence}), the Redfish
 * {@code LogService.CollectDiagnosticData} action and other bundles.
 */
@Version("1.0.0")
package pcm.ui.api.evidence;

import org.osgi.annotation.versioning.Version;
