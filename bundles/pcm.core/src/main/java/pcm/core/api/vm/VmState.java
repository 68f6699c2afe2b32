package pcm.core.api.vm;

/** Lifecycle of the one guest VM. */
public enum VmState { CREATED, RUNNING, PAUSED, STOPPED }
