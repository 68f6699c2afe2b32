package pcm.core.internal.verify;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of window verification (PID pcm.verification). */
@ObjectClassDefinition(name = "PCM window verification", description = "Which RCP variants verify each recorded window, and how.")
public @interface VerificationConfig {

    @AttributeDefinition(name = "Verifiers", description = "RCP ids (pcm.rcp.id) that verify every window automatically.")
    String[] verifiers() default {"soft"};

    @AttributeDefinition(name = "Replay strategy", description = "Strategy id (pcm.strategy.id) the verifiers use "
            + "unless 'Strategy per verifier' names another for them.")
    String strategy() default "full";

    @AttributeDefinition(name = "Strategy per verifier", description = "Entries 'rcp=strategy' (e.g. 'soft=checkpoint') "
            + "choosing the replay strategy of single verifiers; the others use 'Replay strategy'.", required = false)
    String[] strategies() default {};

    @AttributeDefinition(name = "Worker threads", min = "1", max = "64")
    int workers() default 2;

    @AttributeDefinition(name = "Verify automatically", description = "Verify each window as soon as it closes, and every "
            + "complete window in the store that has no final verdict of each verifier yet (earlier runs, crashes).")
    boolean auto() default true;

    @AttributeDefinition(name = "Verifier grace (ms)", description = "How long a window waits for a configured verifier that "
            + "is not installed (yet). After it the window gets an INCONCLUSIVE verdict saying so, which is not final: the "
            + "window is verified when the verifier appears.", min = "0", max = "3600000")
    long verifierGraceMillis() default 10_000;
}
