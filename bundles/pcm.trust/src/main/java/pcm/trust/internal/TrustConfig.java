package pcm.trust.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

@ObjectClassDefinition(id = TrustPolicy.PID, pid = TrustPolicy.PID, name = "PCM bundle trust",
        description = "Whether drop-ins (deploy/) and firmware updates must be signed by a key of the trust store")
/**
 * The metatype of PID {@code pcm.trust} (designated here: the policy is no DS component, see {@link Activator}); read by
 * {@link TrustPolicy} from Config Admin at each check.
 */
@interface TrustConfig {

    @AttributeDefinition(name = "Require signed bundles",
            description = "Refuse every drop-in and firmware image not signed (JAR signing) by a certificate that chains to the trust store. "
                    + "The run property pcm.trust.requireSigned=true (the OEM variant) makes this on whatever is set here")
    boolean requireSigned() default false;

    @AttributeDefinition(name = "Trust store", required = false,
            description = "PKCS12 or JKS file whose trusted-certificate entries are the signers' anchors; empty: <data>/trust/truststore.p12, "
                    + "or the run property pcm.trust.store")
    String trustStore() default "";

    @AttributeDefinition(name = "Trust store type", options = {@Option(label = "PKCS12", value = "PKCS12"), @Option(label = "JKS", value = "JKS")})
    String trustStoreType() default "PKCS12";

    @AttributeDefinition(name = "Trust store password", type = AttributeType.PASSWORD, required = false,
            description = "Checks the store's integrity; empty: read without (certificate-only PKCS12 stores need none)")
    String trustStorePassword() default "";
}
