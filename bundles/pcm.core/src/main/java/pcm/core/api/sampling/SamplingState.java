package pcm.core.api.sampling;

/**
 * PCM's sampling state machine, after the RCP command protocol of the seed:
 * {@code IDLE -(MTA0_MNTR_ENTRY)-> ENTRY -(MTA0_CHK_STRT)-> SAMPLING -(MTA0_CHK_END)-> REPLAY
 * -(MTA0_MNTR_EXT)-> IDLE}, with a timeout on every wait.
 */
public enum SamplingState { IDLE, ENTRY, SAMPLING, REPLAY }
