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
            + "instructions the recorder logs the vCPU's registers (a CHECKPOINT event: a delta against the previous one, "
            + "~70-220 bytes of log); verifiers compare theirs there and trace the last writer of a differing register "
            + "back to its instruction. 0 = none (only the final snapshot, and fingerprints if on, are compared). With "
            + "register fingerprints on, a checkpoint every 1,024 instructions costs ~0.2 byte per instruction; without "
            + "them, 1 = a checkpoint after every instruction (~82 bytes each) is what catches a fault overwritten within "
            + "the interval.", min = "0")
    long checkpointInterval() default 1024;

    @AttributeDefinition(name = "Register fingerprints", description = "Log a one-byte fingerprint of the registers "
            + "after every instruction (FINGERPRINTS events, ~1 byte per instruction): verifiers compare theirs at every "
            + "instruction, so a fault is located at its instruction and one overwritten within a checkpoint interval "
            + "is still caught (missed with probability 1/255 per instruction it lives). The recorder reads the registers "
            + "after every instruction for it, as with a checkpoint interval of 1 (counters that report registers while "
            + "stepping, kvm-step, are not stopped for it).")
    boolean registerFingerprints() default true;

    @AttributeDefinition(name = "Verification backlog limit (windows)", description = "Periodic sampling skips its "
            + "windows while this many recorded windows still wait for a verdict of every configured verifier, and resumes "
            + "when verification has caught up; each pause and resume is logged with the count of skipped windows (no "
            + "recorded window is ever dropped). 0: no limit.", min = "0")
    int maxVerificationBacklog() default 32;

    @AttributeDefinition(name = "Sample periodically from start", description = "Periodic sampling with the default "
            + "policy while true: it starts as soon as that policy service is there and pauses while it is gone.")
    boolean periodic() default false;
}
