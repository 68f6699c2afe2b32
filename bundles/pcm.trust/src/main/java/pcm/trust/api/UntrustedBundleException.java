package pcm.trust.api;

/** A jar the signing policy refuses: which jar, the rule it broke ({@link Reason}), and (the message) exactly why. */
public final class UntrustedBundleException extends Exception {

    private static final long serialVersionUID = 1L;

    public enum Reason {
        /** no entry is signed */
        UNSIGNED,
        /** signed, but not as signed any more: an entry changed or added after signing, the signature files removed, several signers */
        TAMPERED,
        /** the signer's certificate does not chain to a certificate of the trust store */
        UNTRUSTED,
        /** the signer's certificate (or one of its chain) has expired */
        EXPIRED,
        /** the signer's certificate (or one of its chain) is not valid yet */
        NOT_YET_VALID,
        /** not a jar, or one that cannot be read */
        MALFORMED,
        /** nothing to check against: the trust store is missing, unreadable or empty, or the policy is not available */
        NO_TRUST_STORE
    }

    private final String jar;
    private final Reason reason;

    public UntrustedBundleException(String jar, Reason reason, String why) {
        this(jar, reason, why, null);
    }

    public UntrustedBundleException(String jar, Reason reason, String why, Throwable cause) {
        super(jar + ": " + reason + ": " + why, cause);
        this.jar = jar;
        this.reason = reason;
    }

    /** The jar refused, as it was named to {@link BundleTrust#check}. */
    public String jar() {
        return jar;
    }

    public Reason reason() {
        return reason;
    }
}
