package pcm.ui.internal.firmware;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(id = FirmwareService.PID, name = "PCM firmware update",
        description = "Bundle updates through the shell and the Redfish UpdateService")
@interface FirmwareConfig {

    @AttributeDefinition(name = "Largest image (bytes)", min = "1024", max = "1073741824",
            description = "An uploaded jar larger than this is refused before anything is read into memory")
    long maxImageBytes() default 64L * 1024 * 1024;

    @AttributeDefinition(name = "Refresh wait (ms)", min = "100", max = "600000",
            description = "How long an update waits for the framework to rewire the bundles that depend on the one updated")
    long refreshMillis() default 60_000;
}
