package pcm.redfish.internal.tls;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/**
 * HTTPS of the resident PCM's API and web console (PID {@value #PID}). By default PCM serves HTTPS only, with a
 * self-signed certificate it generates at the first start; an operator's keystore replaces it. Address and port stay
 * Felix HTTP's own configuration (PID {@code org.apache.felix.http}); the API's one port serves HTTPS when this is on.
 */
@ObjectClassDefinition(name = "PCM HTTPS",
        description = "TLS of the resident PCM's HTTP API and web console (docs/operating.md \"HTTPS\")")
public @interface HttpsConfig {

    String PID = "pcm.https";

    @AttributeDefinition(name = "Enabled", description = "Serve HTTPS only (plain HTTP off). false serves plain HTTP: for "
            + "development on loopback only, never across a network")
    boolean enabled() default true;

    @AttributeDefinition(name = "Keystore", description = "The operator's PKCS12 (or JKS) keystore with the server's key and "
            + "certificate chain, relative to the data directory or absolute. Empty: PCM's own self-signed certificate in "
            + "secrets/https.p12, generated at the first start (delete it to renew)")
    String keystore() default "";

    @AttributeDefinition(name = "Keystore password file", description = "File holding the operator keystore's password "
            + "(one line; relative to the data directory or absolute; keep it 0600). Required with Keystore")
    String keystorePasswordFile() default "";

    @AttributeDefinition(name = "Keystore type", description = "PKCS12 or JKS", options = {
            @org.osgi.service.metatype.annotations.Option(label = "PKCS12", value = "PKCS12"),
            @org.osgi.service.metatype.annotations.Option(label = "JKS", value = "JKS") })
    String keystoreType() default "PKCS12";

    @AttributeDefinition(name = "Host names", description = "Host names and addresses put into the generated certificate "
            + "besides localhost, 127.0.0.1, ::1 and the address the server binds (org.apache.felix.http.host). Changing "
            + "them takes effect when the certificate is generated again (delete secrets/https.p12)")
    String[] hostNames() default {};

    @AttributeDefinition(name = "Validity (days)", description = "Validity of a generated certificate", min = "1", max = "3650")
    int validityDays() default 825;
}
