package pcm.redfish.internal.certs;

import java.io.StringReader;
import java.io.StringWriter;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

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
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;

/** A certificate authority for tests: issues server certificates, good and bad, and signs CSRs. */
final class TestCa {

    final KeyPair keys;
    final X509Certificate certificate;
    private long serial = 2;

    TestCa(String name) throws Exception {
        keys = ec("secp256r1");
        Instant now = Instant.now();
        var b = new JcaX509v3CertificateBuilder(new X500Name("CN=" + name), BigInteger.ONE, Date.from(now.minus(Duration.ofDays(1))),
                Date.from(now.plus(Duration.ofDays(365))), new X500Name("CN=" + name), keys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
        certificate = new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    }

    static KeyPair ec(String curve) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec(curve));
        return g.generateKeyPair();
    }

    static KeyPair rsa(int bits) throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(bits);
        return g.generateKeyPair();
    }

    /** A server certificate for {@code key}, valid from {@code from} to {@code to}, with the given extended key usage. */
    X509Certificate issue(String cn, PublicKey key, Instant from, Instant to, KeyPurposeId eku) throws Exception {
        var b = new JcaX509v3CertificateBuilder(new X500Name(certificate.getSubjectX500Principal().getName()), BigInteger.valueOf(serial++),
                Date.from(from), Date.from(to), new X500Name("CN=" + cn), key);
        b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"), new GeneralName(GeneralName.iPAddress, "127.0.0.1") }));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(eku));
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
    }

    X509Certificate issue(String cn, PublicKey key) throws Exception {
        return issue(cn, key, Instant.now().minus(Duration.ofHours(1)), Instant.now().plus(Duration.ofDays(90)), KeyPurposeId.id_kp_serverAuth);
    }

    /** Signs a CSR (after checking its signature), as a CA does. */
    X509Certificate sign(String csrPem) throws Exception {
        try (PEMParser p = new PEMParser(new StringReader(csrPem))) {
            var csr = new JcaPKCS10CertificationRequest((PKCS10CertificationRequest) p.readObject());
            if (!csr.isSignatureValid(new org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder().build(csr.getPublicKey())))
                throw new IllegalArgumentException("CSR signature does not verify");
            return issue(csr.getSubject().toString().replaceFirst(".*CN=([^,]*).*", "$1"), csr.getPublicKey());
        }
    }

    static String pem(Object... objects) throws Exception {
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            for (Object o : objects) w.writeObject(o);
        }
        return out.toString();
    }

    /** An EC key as {@code openssl ecparam -genkey} writes it: SEC1 ({@code EC PRIVATE KEY}) naming its curve, with its public key. */
    static String sec1(KeyPair kp) throws Exception {
        var info = org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(kp.getPrivate().getEncoded());
        var spki = org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(kp.getPublic().getEncoded());
        var curve = info.getPrivateKeyAlgorithm().getParameters();
        var d = ((java.security.interfaces.ECPrivateKey) kp.getPrivate()).getS();
        int bits = ((java.security.interfaces.ECPrivateKey) kp.getPrivate()).getParams().getOrder().bitLength();
        var sec1 = new org.bouncycastle.asn1.sec.ECPrivateKey(bits, d, spki.getPublicKeyData(), curve);
        StringWriter out = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(out)) {
            w.writeObject(new org.bouncycastle.util.io.pem.PemObject("EC PRIVATE KEY", sec1.getEncoded()));
        }
        return out.toString();
    }

    static String pkcs8(PrivateKey key) {
        return CertificateStore.pkcs8Pem(key);
    }

    static List<X509Certificate> chain(X509Certificate... c) {
        return List.of(c);
    }
}
