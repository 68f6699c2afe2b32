package pcm.mmu.api;

/** What a linear-address access does, as the page walker checks it. */
public enum Access {
    READ, WRITE, EXECUTE
}
