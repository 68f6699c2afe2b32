package pcm.ui.internal.lifecycle;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** How long an orderly stop of the runtime (bin/pcm stop, Ctrl-C of bin/pcm run, SIGTERM) may take, step by step. */
@ObjectClassDefinition(name = "PCM shutdown", description = "Orderly stop of the runtime on SIGTERM / SIGINT / System.exit")
public @interface ShutdownConfig {

    String PID = "pcm.shutdown";

    @AttributeDefinition(name = "Window close (ms)", description = "At most this long for the open sampling window to close and be stored", min = "1", max = "600000")
    long windowCloseMillis() default 30_000;

    @AttributeDefinition(name = "Guest stop (ms)", description = "At most this long for the guest to stop", min = "1", max = "600000")
    long guestStopMillis() default 10_000;

    @AttributeDefinition(name = "Verification (ms)", description = "At most this long for the verifiers to finish the windows recorded "
            + "(the rest stays COMPLETE without a verdict: pcm:verify checks it later)", min = "0", max = "3600000")
    long verifyMillis() default 60_000;

    @AttributeDefinition(name = "Framework stop (ms)", description = "At most this long for the OSGi framework to stop", min = "1", max = "600000")
    long frameworkStopMillis() default 30_000;
}
