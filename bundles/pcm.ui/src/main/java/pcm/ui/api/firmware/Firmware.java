package pcm.ui.api.firmware;

import java.util.List;
import java.util.Map;

import org.osgi.annotation.versioning.ProviderType;

/**
 * PCM's bundles as firmware images. An update is checked before anything changes (a jar with a manifest naming
 * Bundle-SymbolicName and an OSGi Bundle-Version), refused when the bundles it would restart include the VM while a
 * guest runs, installed, and checked again (resolved, and started if the bundle it replaces was); when that fails the
 * previous version is put back. The version replaced is kept in {@code <data>/firmware/}, so {@link #rollback} restores
 * it. One change at a time.
 */
@ProviderType
public interface Firmware {

    /** Every bundle (active versions) and every previous version kept for a rollback, by symbolic name. */
    List<FirmwareImage> inventory();

    /** The largest jar {@link #install} takes, in bytes (PID {@code pcm.firmware}). */
    long maxImageBytes();

    /**
     * Installs the jar as a new bundle, or updates the bundle of that symbolic name with it (the replaced version is
     * kept for a rollback). Returns the image now active.
     */
    FirmwareImage install(byte[] jar) throws FirmwareException;

    /**
     * Installs or updates several bundles as one change: every image is checked first (manifest, size, the signing
     * policy, no symbolic name twice), so a refused one leaves the running set untouched; a change that fails on the way
     * puts back the set's earlier changes. Returns the images now active, in the order given.
     *
     * @param jars the images by the name a refusal names them with (a file name), in the order they are applied
     */
    List<FirmwareImage> installSet(Map<String, byte[]> jars) throws FirmwareException;

    /** Puts back the version the last update of that bundle replaced (an installed one is uninstalled); the version rolled back is kept in turn. */
    FirmwareImage rollback(String symbolicName) throws FirmwareException;

    /**
     * Reads the bundle again from where it came ({@code update <bundle>} without a URL): its location as a URL, a
     * {@code jar/...} location of the runnable jar (the bnd launcher's embedded bundles), or a file. The version
     * replaced is kept for a rollback like any update.
     */
    FirmwareImage reread(long bundleId) throws FirmwareException;
}
