package pcm.config.internal.settings;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(id = SettingsService.PID, name = "PCM settings service",
        description = "Changes settings for the shell (pcm:config), the Redfish API and the web console")
@interface SettingsConfig {

    @AttributeDefinition(name = "Wait until applied (ms)", min = "0", max = "600000",
            description = "How long a change waits for Config Admin to hold the written values (FileInstall polls conf/ once a second);"
                    + " after that the change is reported written but not applied")
    long applyWaitMillis() default 15_000;
}
