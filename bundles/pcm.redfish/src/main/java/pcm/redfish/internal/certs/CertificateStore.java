package pcm.redfish.internal.certs;

import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequest;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

import pcm.redfish.internal.tls.HttpsKeystoreException;
import pcm.redfish.internal.tls.SelfSignedKeystore;
import pcm.redfish.internal.tls.ServerCertificate;

/**
 * PCM's own HTTPS key material under {@code <data>/secrets/}: the served keystore ({@code https.p12}, with the password
 * in {@code https.password}, both kept 0600) and the key of a pending certificate signing request ({@code https-csr.key},
 * 0600, with the request itself in {@code https.csr}). A replacement is checked whole first and written so that the
 * keystore is either the old one or the new one: a new file beside it, synced, reopened as Jetty will open it, then
 * renamed over the old one. The keystore password stays the same, so only that one file changes.
 */
public final class CertificateStore {

    public static final String PENDING_KEY = "secrets/https-csr.key";
    public static final String PENDING_CSR = "secrets/https.csr";

    /** A CSR waiting for its certificate: the request, the subject it names, its key type, when it was made. */
    public record Pending(String csrPem, String subject, String keyType, Instant created) {}

    /** What ReplaceCertificate installed. */
    public record Replaced(ServerCertificate served, String keyType, boolean pendingKeyUsed) {}

    private final Path data;
    private final Object lock = new Object();

    public CertificateStore(Path data) {
        this.data = data;
    }

    /** The pending CSR, if GenerateCSR made one that no certificate has been posted for yet. */
    public Optional<Pending> pending() {
        Path csr = data.resolve(PENDING_CSR);
        Path key = data.resolve(PENDING_KEY);
        if (!Files.isRegularFile(csr) || !Files.isRegularFile(key)) return Optional.empty();
        try (PEMParser p = new PEMParser(Files.newBufferedReader(csr, StandardCharsets.US_ASCII))) {
            if (!(p.readObject() instanceof PKCS10CertificationRequest r)) return Optional.empty();
            String keyType = CertificateCheck.keyType(new JcaPKCS10CertificationRequest(r).getPublicKey(), PENDING_CSR);
            return Optional.of(new Pending(Files.readString(csr, StandardCharsets.US_ASCII), r.getSubject().toString(), keyType,
                    Files.getLastModifiedTime(csr).toInstant()));
        } catch (IOException | GeneralSecurityException | CertificateRequestException | RuntimeException e) {
            return Optional.empty(); // unreadable leftovers: GenerateCSR writes new ones
        }
    }

    /** A new key and its CSR, kept pending (a new request replaces an older pending one). */
    public CsrGenerator.Csr generate(CsrRequest request) throws IOException, GeneralSecurityException {
        synchronized (lock) {
            CsrGenerator.Csr csr = CsrGenerator.generate(request);
            // the key first: a CSR on disk always has its key beside it
            writeAtomically(data.resolve(PENDING_KEY), pkcs8Pem(csr.keys().getPrivate()).getBytes(StandardCharsets.US_ASCII));
            writeAtomically(data.resolve(PENDING_CSR), csr.pem().getBytes(StandardCharsets.US_ASCII));
            return csr;
        }
    }

    /**
     * Checks the PEM (certificates and perhaps a key; without a key the pending CSR's key must fit) and installs it as
     * the served keystore. Throws before anything is written when the material is not usable.
     */
    public Replaced replace(String pem, Instant now) throws CertificateRequestException, HttpsKeystoreException, IOException {
        synchronized (lock) {
            PemMaterial m = PemMaterial.parse(pem, "CertificateString");
            X509Certificate server = m.certificates().getFirst();
            boolean pendingUsed = false;
            PrivateKey key;
            if (m.key().isPresent()) {
                key = m.key().get();
            } else {
                Optional<PrivateKey> p = pendingKey();
                if (p.isEmpty())
                    throw CertificateRequestException.value("CertificateString", "holds no private key and no CSR is pending: "
                            + "put the key in it too (PEM), or post the certificate issued for PCM's GenerateCSR");
                if (!CertificateCheck.matches(p.get(), server.getPublicKey()))
                    throw CertificateRequestException.value("CertificateString", "holds no private key, and the certificate ("
                            + CertificateCheck.subject(server) + ") was not issued for the pending CSR's key (a newer GenerateCSR "
                            + "replaces the key of an older one)");
                key = p.get();
                pendingUsed = true;
            }
            CertificateCheck.check(m.certificates(), key, now, "CertificateString");
            String keyType = CertificateCheck.keyType(server.getPublicKey(), "CertificateString");
            ServerCertificate served = install(key, m.certificates().toArray(X509Certificate[]::new));
            // the pending key has its certificate now (or an operator's key replaced it): a later CSR starts afresh
            if (pendingUsed || pendingKey().filter(k -> CertificateCheck.matches(k, server.getPublicKey())).isPresent()) {
                Files.deleteIfExists(data.resolve(PENDING_KEY));
                Files.deleteIfExists(data.resolve(PENDING_CSR));
            }
            return new Replaced(served, keyType, pendingUsed);
        }
    }

    private ServerCertificate install(PrivateKey key, X509Certificate[] chain) throws HttpsKeystoreException, IOException {
        Path keystore = data.resolve(SelfSignedKeystore.KEYSTORE);
        String password = SelfSignedKeystore.readPassword(data.resolve(SelfSignedKeystore.PASSWORD), keystore);
        Path tmp = keystore.resolveSibling("https.p12.replace");
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry(SelfSignedKeystore.ALIAS, key, password.toCharArray(), chain);
            Files.deleteIfExists(tmp);
            Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE); OutputStream out = Channels.newOutputStream(ch)) {
                ks.store(out, password.toCharArray());
                ch.force(true);
            }
            // what Jetty will do with it: open it with the password, find the key and its certificate
            ServerCertificate.load(tmp, "PKCS12", password);
            Files.move(tmp, keystore, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            return ServerCertificate.load(keystore, "PKCS12", password);
        } catch (GeneralSecurityException e) {
            throw new HttpsKeystoreException(keystore, "cannot write the new keystore: " + e.getMessage(), e);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private Optional<PrivateKey> pendingKey() {
        Path f = data.resolve(PENDING_KEY);
        if (!Files.isRegularFile(f)) return Optional.empty();
        try {
            return PemKeys.privateKey(Files.readString(f, StandardCharsets.US_ASCII));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    static String pkcs8Pem(PrivateKey key) {
        return "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n";
    }

    /** Owner-only file, complete or absent: written beside, synced, renamed. */
    static void writeAtomically(Path target, byte[] content) throws IOException {
        Path dir = target.getParent();
        if (!Files.isDirectory(dir))
            Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path tmp = target.resolveSibling(target.getFileName() + ".new");
        Files.deleteIfExists(tmp);
        Files.createFile(tmp, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.wrap(content);
            while (buf.hasRemaining()) ch.write(buf);
            ch.force(true);
        }
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Reads a single private key back from its PEM. */
    static final class PemKeys {
        private PemKeys() {}

        static Optional<PrivateKey> privateKey(String pem) {
            try (PEMParser p = new PEMParser(new StringReader(pem))) {
                Object o = p.readObject();
                if (o instanceof PrivateKeyInfo info) return Optional.of(new JcaPEMKeyConverter().getPrivateKey(info));
                return Optional.empty();
            } catch (IOException | RuntimeException e) {
                return Optional.empty();
            }
        }
    }
}
