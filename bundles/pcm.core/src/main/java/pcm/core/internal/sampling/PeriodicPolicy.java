package pcm.core.internal.sampling;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import pcm.core.api.sampling.SamplingPolicy;

/** The default sampling policy: a window of fixed length every period (PID {@code pcm.sampling.periodic}). */
@Component(service = SamplingPolicy.class, configurationPid = PeriodicPolicy.PID,
        property = SamplingPolicy.ID + "=" + PeriodicPolicy.POLICY_ID)
@Designate(ocd = PeriodicPolicy.Config.class)
public final class PeriodicPolicy implements SamplingPolicy {

    public static final String PID = "pcm.sampling.periodic";
    public static final String POLICY_ID = "periodic";

    @ObjectClassDefinition(name = "PCM periodic sampling policy", description = "Opens a window of fixed length every period.")
    public @interface Config {

        @AttributeDefinition(name = "Period (ms)", description = "Pause between the close of a window and the start of the next.", min = "1", max = "86400000")
        long periodMillis() default 10_000;

        @AttributeDefinition(name = "Window length (instructions)", description = "Retired instructions per window.", min = "1")
        long windowInstructions() default 100_000;
    }

    private volatile Config config;

    @Activate
    public PeriodicPolicy(Config config) {
        this.config = config;
    }

    @Modified
    void modified(Config c) {
        this.config = c;
    }

    @Override
    public String id() { return POLICY_ID; }

    @Override
    public long delayBeforeNextWindowMillis() { return Math.max(1, config.periodMillis()); }

    @Override
    public long windowInstructions() { return Math.max(1, config.windowInstructions()); }
}
