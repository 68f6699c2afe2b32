package pcm.core.internal.dispatch;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the exit dispatcher (PID pcm.dispatch): how plug-in exit handlers are held to time. */
@ObjectClassDefinition(name = "PCM exit dispatcher",
        description = "Time limits for exit handlers from plug-in bundles, and which bundles are the kernel's own.")
public @interface DispatchConfig {

    @AttributeDefinition(name = "Time budget (ms)", min = "1",
            description = "A plug-in handler call longer than this is named in a warning (rate-limited).")
    long budgetMillis() default 50;

    @AttributeDefinition(name = "Hard limit (ms)", min = "1",
            description = "A plug-in handler that has not answered within this is quarantined (taken out of dispatch) "
                    + "and the exit goes to the next handler or the default. At least the time budget.")
    long hardLimitMillis() default 2000;

    @AttributeDefinition(name = "Unregistration wait (ms)", min = "0",
            description = "How long removing a handler waits for its calls in flight before it proceeds anyway.")
    long unregisterWaitMillis() default 5000;

    @AttributeDefinition(name = "Failure report period (ms)", min = "1",
            description = "A handler's repeated failures (or slow calls) are summarised at most this often.")
    long reportPeriodMillis() default 10_000;

    @AttributeDefinition(name = "Direct bundles",
            description = "Symbolic names of the bundles whose handlers run on the vCPU thread itself (no hand-off, "
                    + "no time bound): the kernel's own. Every other bundle's handlers run supervised.")
    String[] directBundles() default {"pcm.core", "pcm.softcpu", "pcm.vmx", "pcm.devices", "pcm.irq"};
}
