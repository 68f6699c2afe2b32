package pcm.trust.api;

import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * PCM's signing policy (PID {@code pcm.trust}). When it requires signed bundles, a jar is taken only if every entry is
 * signed (standard JAR signing, as {@code jarsigner} does it), all by the same signer, whose certificate chains to a
 * certificate of the trust store and is valid now; otherwise {@link #check} says which rule failed, naming the jar.
 */
@ProviderType
public interface BundleTrust {

    /** Whether bundles must be signed (the variant's run property {@code pcm.trust.requireSigned} or the configuration). */
    boolean required();

    /**
     * Checks a jar before anything of it is installed.
     *
     * @param name how to name the jar in a refusal (its file, or what an upload was called)
     * @return the signer when the policy required a signature and the jar has a trusted one; empty when signatures are
     *         not required (the jar is not looked at then)
     */
    Optional<Signer> check(String name, byte[] jar) throws UntrustedBundleException;

    /**
     * The refusal of the jar of that name, if its last check refused it (a drop-in is named by its file's absolute path):
     * what waits for drop-ins to be installed need not wait for one that never will be.
     */
    Optional<UntrustedBundleException> refusal(String name);
}
