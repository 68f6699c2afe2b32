package pcm.trust.api;

/**
 * Who signed a jar that passed the check.
 *
 * @param subject     the signer certificate's subject (X.500 name)
 * @param fingerprint SHA-256 of that certificate, hex
 * @param anchor      the subject of the trust store certificate its chain ends at
 */
public record Signer(String subject, String fingerprint, String anchor) {}
