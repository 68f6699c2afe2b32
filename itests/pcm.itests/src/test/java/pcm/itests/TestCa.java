package pcm.itests;

import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/**
 * A certificate authority of the tests (BouncyCastle, as an operator's CA would be openssl): signs PCM's CSRs, issues
 * server certificates for 127.0.0.1 and localhost, and gives a TLS context that trusts only it.
 */
final class TestCa {

    final KeyPair keys;
    final X509Certificate certificate;
    private long serial = 2;

    TestCa(String name) throws Exception {
        keys = ec();
        Instant now = Instant.now();
        var b = new JcaX509v3CertificateBuilder(new X500Name("CN=" + name), BigInteger.ONE, Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(Duration.ofDays(365))), new X500Name("CN=" + name), keys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        certificate = new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    }

    static KeyPair ec() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    static KeyPair rsa(int bits) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(bits);
        return g.generateKeyPair();
    }

    /** A server certificate for 127.0.0.1 and localhost, valid from {@code from} to {@code to}. */
    X509Certificate issue(String cn, PublicKey key, Instant from, Instant to) throws Exception {
        var b = new JcaX509v3CertificateBuilder(new X500Name(certificate.getSubjectX500Principal().getName()), BigInteger.valueOf(serial++),
                Date.from(from), Date.from(to), new X500Name("CN=" + cn), key);
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1") }));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    }

    X509Certificate issue(String cn, PublicKey key) throws Exception {
        return issue(cn, key, Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(90)));
    }

    /** Checks a CSR's signature and issues the certificate it asks for (its public key, its CommonName). */
    X509Certificate sign(String csrPem) throws Exception {
        try (PEMParser p = new PEMParser(new StringReader(csrPem))) {
            var csr = new JcaPKCS10CertificationRequest((PKCS10CertificationRequest) p.readObject());
            if (!csr.isSignatureValid(new JcaContentVerifierProviderBuilder().build(csr.getPublicKey())))
                throw new AssertionError("the CSR's signature does not verify");
            return issue(csr.getSubject().toString().replaceFirst(".*CN=([^,]*).*", "$1"), csr.getPublicKey());
        }
    }

    /** TLS that trusts this CA alone (host names checked), as a client given the operator's CA certificate. */
    SSLContext trustingOnlyThis() throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        ks.setCertificateEntry("ca", certificate);
        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init(ks);
        SSLContext c = SSLContext.getInstance("TLS");
        c.init(null, f.getTrustManagers(), null);
        return c;
    }

    /** PEM of certificates and key pairs (a key pair as openssl's traditional form: EC or RSA PRIVATE KEY). */
    static String pem(Object... objects) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            for (Object o : objects) w.writeObject(o);
        }
        return out.toString();
    }

    /** A private key as PKCS#8 ({@code PRIVATE KEY}), what openssl genpkey writes. */
    static String pkcs8(java.security.PrivateKey key) {
        return "-----BEGIN PRIVATE KEY-----\n" + java.util.Base64.getMimeEncoder(64, new byte[] { '\n' }).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }
}
