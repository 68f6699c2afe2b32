package pcm.config.api;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

/**
 * PCM's whole configuration as one file, and snapshots of it (issue 17 item 2). The file is an OSGi Configurator
 * resource (JSON, the format of {@code <data>/customer/*.json}, so an export can be dropped in as a customer file)
 * holding every configuration of a PID or factory PID with metatype, with a header naming the PCM version, the time and
 * the variant ({@code :configurator:pcm-export}). An import is checked whole against the metatype first and written as a
 * set into {@code <data>/conf/}, all or nothing; a snapshot is such a file in {@code <data>/config-snapshots/}.
 */
@ProviderType
public interface ConfigArchive {

    /**
     * The configuration PCM holds for its PIDs with metatype: every configured singleton PID, and every configuration of
     * a factory PID with metatype (as {@code factoryPid~name}). PIDs without a configuration run on their defaults and
     * are not written (their defaults would pin them; HTTP's port comes from {@code bin/pcm start}, for one).
     *
     * @param all         every attribute of a configured PID, not only those that differ from the metatype's default
     * @param withSecrets include secrets (metatype Password attributes, {@code pcm.api}'s user hashes); without, each
     *                    one left out is named in the header and an import keeps the target's own value of it
     */
    ConfigExport export(boolean all, boolean withSecrets);

    /**
     * Imports an exported file: every value checked against the metatype first (one that does not fit and nothing is
     * written: {@link ConfigArchiveException} naming file, PID, key, value and why); then, unless {@code dryRun}, an
     * automatic snapshot is taken and every changed PID's {@code conf/} file is written as a set (all renamed into place
     * or, if one rename fails, the ones done rolled back), and the call waits (bounded) until Config Admin holds them.
     * A PID in the file gets exactly the file's values (an attribute it does not name: the default; a secret the file
     * says was left out: kept); PIDs not in the file are not touched.
     *
     * @param source what to call the file in messages (its path)
     */
    ImportResult importConfiguration(String source, String json, boolean dryRun) throws ConfigArchiveException, InterruptedException;

    /** The snapshots, oldest first. */
    List<ConfigSnapshot> snapshots() throws ConfigArchiveException;

    /**
     * Takes a snapshot ({@code <data>/config-snapshots/<UTC time>[-name].json}, secrets included, mode 0600).
     *
     * @param name null, or letters, digits, {@code . _ -} (at most 64, not starting with {@code auto-}: automatic ones)
     */
    ConfigSnapshot snapshot(String name) throws ConfigArchiveException;

    /**
     * Restores a snapshot (its id, or its name: the newest of that name): an import of it, all or nothing, after an
     * automatic snapshot, and besides, every PID with metatype that has a {@code conf/} file but is not in the snapshot
     * goes back to its defaults (it was not configured when the snapshot was taken).
     */
    ImportResult restore(String snapshot, boolean dryRun) throws ConfigArchiveException, InterruptedException;

    /** Deletes a snapshot (its id or name, as {@link #restore}). */
    ConfigSnapshot deleteSnapshot(String snapshot) throws ConfigArchiveException;
}
