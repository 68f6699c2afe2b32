package pcm.core.api.sampling;

/** Commands exchanged between PCM and the RCP (the seed's MTA0 register values). */
public enum RcpCommand {
    /** Enter monitoring: prepare a window (initial snapshot). */
    MTA0_MNTR_ENTRY(0x10),
    /** Sampling starts: the window records from here. */
    MTA0_CHK_STRT(0x14),
    /** Sampling ends: final snapshot, window closes and goes to replay. */
    MTA0_CHK_END(0x18),
    /** Leave monitoring: replay handed over, back to idle. */
    MTA0_MNTR_EXT(0x1C);

    private final int code;

    RcpCommand(int code) { this.code = code; }

    public int code() { return code; }
}
