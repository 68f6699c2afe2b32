package pcm.ui.api.firmware;

/**
 * A bundle as a firmware image.
 *
 * @param active   true: the installed bundle ({@code bundleId}, {@code state}); false: a previous version kept for a
 *                 rollback ({@code bundleId} -1, {@code state} "PREVIOUS")
 * @param location where the installed bundle came from; for a previous version, the file that keeps it
 */
public record FirmwareImage(String symbolicName, String version, boolean active, long bundleId, String state, String location) {}
