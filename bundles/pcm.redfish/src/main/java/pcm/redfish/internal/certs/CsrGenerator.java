package pcm.redfish.internal.certs;

import java.io.IOException;
import java.io.StringWriter;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * A PKCS#10 certificate signing request for a new key (BouncyCastle's builder; the key pair and the signature are the
 * JDK's). The request asks for what a TLS server certificate needs: the subject alternative names (the CommonName too
 * when it is a host name, since clients match only those), digitalSignature (and keyEncipherment for RSA) and
 * serverAuth.
 */
public final class CsrGenerator {

    /** The request as PEM, its new key pair and the subject it names. */
    public record Csr(String pem, KeyPair keys, String subject) {}

    private CsrGenerator() {}

    public static Csr generate(CsrRequest r) throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance(r.key().algorithm());
        if (r.key().curve() != null) g.initialize(new ECGenParameterSpec(r.key().curve()));
        else g.initialize(r.key().bits());
        KeyPair keys = g.generateKeyPair();
        X500Name subject = subject(r);
        JcaPKCS10CertificationRequestBuilder b = new JcaPKCS10CertificationRequestBuilder(subject, keys.getPublic());
        try {
            ExtensionsGenerator ext = new ExtensionsGenerator();
            Set<String> names = new LinkedHashSet<>();
            if (CsrRequest.HOST.matcher(r.commonName()).matches()) names.add(r.commonName());
            names.addAll(r.alternativeNames());
            if (!names.isEmpty()) ext.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(generalNames(names)));
            int usage = KeyUsage.digitalSignature | ("RSA".equals(r.key().algorithm()) ? KeyUsage.keyEncipherment : 0);
            ext.addExtension(Extension.keyUsage, true, new KeyUsage(usage));
            ext.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate());
            PKCS10CertificationRequest csr = b.build(new JcaContentSignerBuilder(r.key().signatureAlgorithm()).build(keys.getPrivate()));
            StringWriter out = new StringWriter();
            try (JcaPEMWriter w = new JcaPEMWriter(out)) {
                w.writeObject(csr);
            }
            return new Csr(out.toString(), keys, subject.toString());
        } catch (IOException | OperatorCreationException e) {
            throw new GeneralSecurityException("cannot build the certificate signing request: " + e.getMessage(), e);
        }
    }

    private static X500Name subject(CsrRequest r) {
        X500NameBuilder n = new X500NameBuilder(BCStyle.INSTANCE);
        if (r.country() != null) n.addRDN(BCStyle.C, r.country());
        if (r.state() != null) n.addRDN(BCStyle.ST, r.state());
        if (r.city() != null) n.addRDN(BCStyle.L, r.city());
        if (r.organization() != null) n.addRDN(BCStyle.O, r.organization());
        if (r.organizationalUnit() != null) n.addRDN(BCStyle.OU, r.organizationalUnit());
        n.addRDN(BCStyle.CN, r.commonName());
        if (r.email() != null) n.addRDN(BCStyle.EmailAddress, r.email());
        return n.build();
    }

    private static GeneralName[] generalNames(Set<String> names) {
        List<GeneralName> out = names.stream()
                .map(s -> new GeneralName(CsrRequest.isAddress(s) ? GeneralName.iPAddress : GeneralName.dNSName, s)).toList();
        return out.toArray(GeneralName[]::new);
    }
}
