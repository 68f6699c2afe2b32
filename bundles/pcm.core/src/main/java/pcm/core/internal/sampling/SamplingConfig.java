package pcm.core.internal.sampling;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * Configuration of the sampler (PID {@code pcm.sampling}); windows are stored in the event log's directory. The
 * min/max are enforced when a configuration is loaded (bundle pcm.config); timeouts are at most a day.
 */
@ObjectClassDefinition(name = "PCM sampling", description = "The sampling state machine: timeouts of every wait, "
        + "window length, periodic sampling. Windows go to the event log's directory (pcm.eventlog).")
public @interface SamplingConfig {

    @AttributeDefinition(name = "Entry timeout (ms)", description = "How long ENTRY waits for MTA0_CHK_STRT before it "
            + "falls back to IDLE.", min = "1", max = "86400000")
    long entryTimeoutMillis() default 10_000;

    @AttributeDefinition(name = "Window timeout (ms)", description = "How long SAMPLING waits for the window to reach "
            + "its length (or for MTA0_CHK_END); then the window is closed where the guest is (a shorter, valid window).", min = "1", max = "86400000")
    long windowTimeoutMillis() default 60_000;

    @AttributeDefinition(name = "Replay timeout (ms)", description = "How long REPLAY waits for MTA0_MNTR_EXT before it "
            + "falls back to IDLE.", min = "1", max = "86400000")
    long replayTimeoutMillis() default 60_000;

    @AttributeDefinition(name = "vCPU boundary timeout (ms)", description = "How long opening or closing a window waits "
            + "for the vCPU thread to reach a boundary between runs (snapshots included).", min = "1", max = "86400000")
    long boundaryTimeoutMillis() default 30_000;

    @AttributeDefinition(name = "Commit timeout (ms)", description = "How long a closed window waits for the event log "
            + "to commit its file.", min = "1", max = "86400000")
    long commitTimeoutMillis() default 10_000;

    @AttributeDefinition(name = "Default window length (instructions)", description = "Length of windows opened by "
            + "MTA0_CHK_STRT or pcm:sample now without a length.", min = "1")
    long defaultWindowInstructions() default 100_000;

    @AttributeDefinition(name = "Default policy", description = "Id of the SamplingPolicy periodic sampling uses "
            + "when none is named (pcm.policy.id).")
    String defaultPolicy() default "periodic";

    @AttributeDefinition(name = "Register checkpoint interval (instructions)", description = "Every this many "
            + "instructions the recorder logs the vCPU's registers (a CHECKPOINT event, a delta of ~16-24 bytes); "
            + "verifiers compare theirs there, so a divergence is found at the instruction that caused it (1) or within "
            + "the interval, and a fault whose value the guest overwrites before the window ends is still caught. "
            + "0 = none (only the final snapshot is compared). Costs ~85 bytes of log per checkpoint (a 2,000-instruction "
            + "window: ~170 KB) and ~15% recording time on KVM; counters that report registers while stepping "
            + "(kvm-step) are not stopped for it.", min = "0")
    long checkpointInterval() default 1;

    @AttributeDefinition(name = "Sample periodically from start", description = "Periodic sampling with the default "
            + "policy while true: it starts as soon as that policy service is there and pauses while it is gone.")
    boolean periodic() default false;
}
