package pcm.config.internal.archive;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(id = ArchiveService.PID, name = "PCM configuration export, import and snapshots",
        description = "The whole configuration as one file (pcm:config export/import), and snapshots of it in <data>/config-snapshots/")
@interface ArchiveConfig {

    @AttributeDefinition(name = "Automatic snapshots kept", min = "0", max = "1000",
            description = "Snapshots PCM takes by itself before each import and restore (auto-*); the oldest beyond this are deleted."
                    + " Snapshots taken by name are never deleted by PCM")
    int maxAutomaticSnapshots() default 10;

    @AttributeDefinition(name = "Wait until applied (ms)", min = "0", max = "600000",
            description = "How long an import or restore waits for Config Admin to hold every written value (FileInstall polls conf/"
                    + " once a second); after that it is reported written but not applied")
    long applyWaitMillis() default 15_000;
}
