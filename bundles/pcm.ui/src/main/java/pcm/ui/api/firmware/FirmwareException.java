package pcm.ui.api.firmware;

/** A firmware change that was not made: what kind of refusal or failure, and (the message) what exactly was wrong. */
public final class FirmwareException extends Exception {

    private static final long serialVersionUID = 1L;

    public enum Kind {
        /** not a jar, no manifest, no or a bad Bundle-SymbolicName or Bundle-Version, a manifest the framework refuses */
        MALFORMED,
        /** larger than {@link Firmware#maxImageBytes()} */
        TOO_LARGE,
        /** its requirements cannot be satisfied, or it does not start: the previous version is active again */
        NOT_RESOLVABLE,
        /** no such bundle, or no previous version to roll back to */
        NOT_FOUND,
        /** not now: it would stop the running guest, or it is the framework or this bundle itself */
        REFUSED,
        /**
         * the signing policy (pcm.trust) refuses it: unsigned, tampered, signed by a key the trust store does not vouch for,
         * an expired certificate (the cause is the {@code pcm.trust.api.UntrustedBundleException} with the reason)
         */
        UNTRUSTED,
        /** the framework or the file system failed */
        FAILED
    }

    private final Kind kind;

    public FirmwareException(Kind kind, String message) {
        this(kind, message, null);
    }

    public FirmwareException(Kind kind, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
    }

    public Kind kind() {
        return kind;
    }
}
