/**
 * Branding of PCM for an OEM: product name, manufacturer, model, logo, colours, support contact and the shell
 * banner, as one {@link pcm.branding.api.Branding} service. The web console, the shell and the Redfish API use the
 * highest-ranked one and follow it live: an OEM brands PCM by installing a bundle that registers its own
 * {@code Branding} (any ranking above {@link pcm.branding.api.BrandingDefaults#DEFAULT_RANKING}); removing it falls back
 * to the default PCM branding (configurable with PID {@value pcm.branding.api.Branding#PID}).
 */
@Version("1.0.0")
package pcm.branding.api;

import org.osgi.annotation.versioning.Version;
