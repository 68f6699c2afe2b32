package pcm.config.internal.archive;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.Dictionary;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.annotations.Designate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.config.api.ConfigArchive;
import pcm.config.api.ConfigArchiveException;
import pcm.config.api.ConfigArchiveException.Kind;
import pcm.config.api.ConfigExport;
import pcm.config.api.ConfigSnapshot;
import pcm.config.api.ImportResult;
import pcm.config.internal.archive.CurrentConfigurations.Current;
import pcm.config.internal.archive.CurrentConfigurations.Metatypes;
import pcm.config.internal.settings.SettingsFile;
import pcm.config.internal.settings.SettingsService;

/**
 * The {@link ConfigArchive} service: exports what Config Admin holds ({@link CurrentConfigurations}, {@link Exporter},
 * {@link ConfigDocument}), imports a file after checking it whole ({@link ImportPlanner}) and writes it as a set
 * ({@link ConfSetWriter}) under the lock every {@code conf/} writer holds, and keeps the snapshots
 * ({@link SnapshotStore}).
 */
@Component(service = ConfigArchive.class, configurationPid = ArchiveService.PID)
@Designate(ocd = ArchiveConfig.class)
public final class ArchiveService implements ConfigArchive {

    static final String PID = "pcm.config.archive";
    private static final Logger LOG = LoggerFactory.getLogger(ArchiveService.class);
    private static final long POLL_MILLIS = 100;

    /** What the header names besides the time. */
    record Origin(String pcmVersion, String variant) {}

    private final SettingsService.Catalog catalog;
    private final ConfigurationAdmin admin;
    private final SettingsFile files;
    private final SnapshotStore snapshots;
    private final Supplier<Origin> origin;
    private final Clock clock;
    private final long applyWaitMillis;
    private final int maxAutomaticSnapshots;
    private final ConfSetWriter writer;

    @Activate
    public ArchiveService(BundleContext context, @Reference ConfigurationAdmin admin, @Reference MetaTypeService metatype,
                          ArchiveConfig config) {
        this(new SettingsService.MetaTypeCatalog(context, metatype), admin, dataDir(context), () -> origin(context), Clock.systemUTC(),
                config.applyWaitMillis(), config.maxAutomaticSnapshots(), ConfSetWriter.ATOMIC);
    }

    ArchiveService(SettingsService.Catalog catalog, ConfigurationAdmin admin, Path data, Supplier<Origin> origin, Clock clock,
                   long applyWaitMillis, int maxAutomaticSnapshots, ConfSetWriter.Mover mover) {
        this.catalog = catalog;
        this.admin = admin;
        this.files = new SettingsFile(data.resolve("conf"), data.resolve("run"));
        this.snapshots = new SnapshotStore(data.resolve("config-snapshots"));
        this.origin = origin;
        this.clock = clock;
        this.applyWaitMillis = applyWaitMillis;
        this.maxAutomaticSnapshots = maxAutomaticSnapshots;
        this.writer = new ConfSetWriter(files.scratchDir(), mover);
    }

    private static Path dataDir(BundleContext context) {
        String data = context.getProperty("pcm.data");
        return Path.of(data == null ? "pcm-data" : data);
    }

    /** PCM's version is the kernel's (what the Redfish Manager calls FirmwareVersion); the variant is bin/pcm's --variant. */
    private static Origin origin(BundleContext context) {
        String version = context.getBundle().getVersion().toString();
        for (Bundle b : context.getBundles()) if ("pcm.core".equals(b.getSymbolicName())) version = b.getVersion().toString();
        String variant = context.getProperty("pcm.variant");
        return new Origin(version, variant == null ? "unknown" : variant);
    }

    @Override
    public ConfigExport export(boolean all, boolean withSecrets) {
        return export("export", all, withSecrets);
    }

    private ConfigExport export(String kind, boolean all, boolean withSecrets) {
        Map<String, Current> current = CurrentConfigurations.read(admin, Metatypes.of(catalog));
        Exporter.Exported e = Exporter.values(current, all, withSecrets);
        Origin o = origin.get();
        var header = new ConfigDocument.Header(kind, o.pcmVersion(), o.variant(), Instant.now(clock).truncatedTo(java.time.temporal.ChronoUnit.MILLIS).toString(), all, withSecrets,
                e.secretsLeftOut());
        try {
            return new ConfigExport(ConfigDocument.write(header, e.configurations()), List.copyOf(e.configurations().keySet()),
                    e.secretsLeftOut());
        } catch (IOException x) {
            throw new IllegalStateException("cannot write the export: " + x.getMessage(), x);
        } catch (NoClassDefFoundError x) {
            // the optional import (bnd.bnd): a run configuration without Felix cm.json
            throw new IllegalStateException("cannot write the export: this runtime has no Configurator JSON writer (org.apache.felix.cm.json)", x);
        }
    }

    @Override
    public ImportResult importConfiguration(String source, String json, boolean dryRun) throws ConfigArchiveException, InterruptedException {
        return apply(read(source, json), false, dryRun, "auto-before-import");
    }

    @Override
    public ImportResult restore(String snapshot, boolean dryRun) throws ConfigArchiveException, InterruptedException {
        ConfigSnapshot s = find(snapshot);
        String json;
        try {
            json = Files.readString(s.file());
        } catch (IOException e) {
            throw new ConfigArchiveException(Kind.IO_FAILED, s.file().toString(), s.file() + ": cannot be read: " + e + "; nothing changed", e);
        }
        return apply(read(s.file().toString(), json), true, dryRun, "auto-before-restore");
    }

    private static ConfigDocument.Read read(String source, String json) throws ConfigArchiveException {
        try {
            return ConfigDocument.read(source, json);
        } catch (ConfigDocument.Unreadable e) {
            throw new ConfigArchiveException(Kind.UNREADABLE, source, source + ": " + e.getMessage() + "; nothing changed", e);
        } catch (NoClassDefFoundError e) {
            throw new ConfigArchiveException(Kind.UNREADABLE, source, source + ": cannot be read: this runtime has no JSON reader"
                    + " (org.apache.felix.cm.json); nothing changed", null);
        }
    }

    private ImportResult apply(ConfigDocument.Read file, boolean resetOthers, boolean dryRun, String snapshotName)
            throws ConfigArchiveException, InterruptedException {
        ImportPlanner.Plan plan;
        ConfigSnapshot before = null;
        synchronized (SettingsFile.CONF_WRITES) {
            plan = ImportPlanner.plan(file, Metatypes.of(catalog), CurrentConfigurations.read(admin, Metatypes.of(catalog)), files, resetOthers);
            if (dryRun || plan.writes().isEmpty()) return new ImportResult(dryRun, plan.changes(), null, plan.files(), !dryRun);
            before = take(snapshotName);
            try {
                writer.apply(plan.writes());
            } catch (IOException e) {
                throw new ConfigArchiveException(Kind.IO_FAILED, file.source(), file.source() + ": cannot write " + e.getMessage()
                        + "; conf/ rolled back, nothing changed (snapshot " + before.id() + " taken before)", e);
            }
        }
        LOG.info("{}: {} configuration(s) {} ({} value(s) changed; snapshot {} taken before)", file.source(), plan.writes().size(),
                resetOthers ? "restored" : "imported", plan.changes().size(), before.id());
        boolean applied = awaitApplied(plan);
        if (!applied) LOG.warn("{}: written to {} but not applied within {} ms (is FileInstall watching {}?)", file.source(), plan.files(),
                applyWaitMillis, files.confDir());
        return new ImportResult(false, plan.changes(), before, plan.files(), applied);
    }

    private boolean awaitApplied(ImportPlanner.Plan plan) throws InterruptedException {
        long deadline = System.nanoTime() + applyWaitMillis * 1_000_000;
        while (!holds(plan)) {
            if (System.nanoTime() - deadline >= 0) return false;
            Thread.sleep(POLL_MILLIS);
        }
        return true;
    }

    private boolean holds(ImportPlanner.Plan plan) {
        Map<String, Current> now = CurrentConfigurations.read(admin, Metatypes.of(catalog));
        for (var e : plan.expected().entrySet()) {
            Current c = now.get(e.getKey());
            Dictionary<String, Object> props = c == null ? null : c.properties();
            if (props == null) {
                if (!e.getValue().isEmpty()) return false;
                continue; // a removed configuration: its defaults
            }
            if (!SettingsService.holds(props, e.getValue())) return false;
            for (String k : plan.absent().getOrDefault(e.getKey(), java.util.Set.of())) if (props.get(k) != null) return false;
        }
        return true;
    }

    @Override
    public List<ConfigSnapshot> snapshots() throws ConfigArchiveException {
        try {
            return snapshots.list();
        } catch (IOException e) {
            throw new ConfigArchiveException(Kind.IO_FAILED, snapshots.dir().toString(), "cannot list " + snapshots.dir() + ": " + e, e);
        }
    }

    @Override
    public ConfigSnapshot snapshot(String name) throws ConfigArchiveException {
        if (name != null && (!SnapshotStore.NAME.matcher(name).matches() || name.startsWith(SnapshotStore.AUTOMATIC)))
            throw new ConfigArchiveException(Kind.BAD_NAME, name, "snapshot name '" + name + "': letters, digits, '.', '_' and '-' only,"
                    + " at most 64, not starting with '" + SnapshotStore.AUTOMATIC + "' (PCM's own)", null);
        return take(name);
    }

    private ConfigSnapshot take(String name) throws ConfigArchiveException {
        try {
            ConfigSnapshot s = snapshots.write(name, export("snapshot", false, true).json(), Instant.now(clock));
            if (s.automatic()) for (ConfigSnapshot gone : snapshots.prune(maxAutomaticSnapshots))
                LOG.info("automatic snapshot {} deleted (more than {} kept)", gone.id(), maxAutomaticSnapshots);
            return s;
        } catch (IOException e) {
            throw new ConfigArchiveException(Kind.IO_FAILED, snapshots.dir().toString(), "cannot write a snapshot into " + snapshots.dir()
                    + ": " + e + "; nothing changed", e);
        }
    }

    private ConfigSnapshot find(String ref) throws ConfigArchiveException {
        try {
            return snapshots.find(ref).orElseThrow(() -> new ConfigArchiveException(Kind.NO_SUCH_SNAPSHOT, ref, "no snapshot '" + ref
                    + "' in " + snapshots.dir() + " (pcm:config snapshots)", null));
        } catch (IOException e) {
            throw new ConfigArchiveException(Kind.IO_FAILED, snapshots.dir().toString(), "cannot list " + snapshots.dir() + ": " + e, e);
        }
    }

    @Override
    public ConfigSnapshot deleteSnapshot(String snapshot) throws ConfigArchiveException {
        ConfigSnapshot s = find(snapshot);
        try {
            snapshots.delete(s);
        } catch (IOException e) {
            throw new ConfigArchiveException(Kind.IO_FAILED, s.file().toString(), "cannot delete " + s.file() + ": " + e, e);
        }
        return s;
    }
}
