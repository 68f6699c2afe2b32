package pcm.trust.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.CertPath;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;

import jdk.security.jarsigner.JarSigner;

/**
 * Keys made by the JDK's keytool (as bin/sign-bundles makes them), jars signed with the JDK's JarSigner API (what
 * jarsigner runs), and the ways a signed jar is tampered with.
 */
final class TestJars {

    static final String PASS = "test-only";

    private TestJars() {}

    static void keytool(Path dir, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) throw new IOException("keytool " + String.join(" ", args) + ": " + out);
    }

    /** A self-signed EC key in {@code <alias>.p12}; {@code startDate} as keytool takes it ("-2d"), or null for now. */
    static Path key(Path dir, String alias, String startDate, int validityDays) throws Exception {
        Path ks = dir.resolve(alias + ".p12");
        List<String> a = new ArrayList<>(List.of("-genkeypair", "-keystore", ks.toString(), "-storetype", "PKCS12", "-storepass", PASS,
                "-alias", alias, "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=" + alias + ", O=PCM test", "-validity",
                Integer.toString(validityDays)));
        if (startDate != null) a.addAll(List.of("-startdate", startDate));
        keytool(dir, a.toArray(String[]::new));
        return ks;
    }

    static X509Certificate certificate(Path keystore, String alias) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, PASS.toCharArray());
        }
        return (X509Certificate) ks.getCertificate(alias);
    }

    static JarSigner signer(Path keystore, String alias) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, PASS.toCharArray());
        }
        PrivateKey key = (PrivateKey) ks.getKey(alias, PASS.toCharArray());
        CertPath path = CertificateFactory.getInstance("X.509").generateCertPath(List.of(ks.getCertificateChain(alias)));
        return new JarSigner.Builder(key, path).signerName(alias.toUpperCase(java.util.Locale.ROOT)).build();
    }

    /** A small bundle: a manifest with a symbolic name, a class-like entry and a text entry. */
    static Path bundle(Path file) throws IOException {
        Manifest m = new Manifest();
        Attributes a = m.getMainAttributes();
        a.put(Attributes.Name.MANIFEST_VERSION, "1.0");
        a.putValue("Bundle-ManifestVersion", "2");
        a.putValue("Bundle-SymbolicName", "test.bundle");
        a.putValue("Bundle-Version", "1.0.0");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(file), m)) {
            out.putNextEntry(new JarEntry("test/Thing.class"));
            out.write(new byte[] {(byte) 0xCA, (byte) 0xFE, (byte) 0xBA, (byte) 0xBE, 0, 0, 0, 69});
            out.closeEntry();
            out.putNextEntry(new JarEntry("test/readme.txt"));
            out.write("hello".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return file;
    }

    static Path sign(JarSigner signer, Path in, Path out) throws IOException {
        try (ZipFile z = new ZipFile(in.toFile()); var os = Files.newOutputStream(out)) {
            signer.sign(z, os);
        }
        return out;
    }

    /**
     * A copy of the jar with each entry's content passed through {@code change} (null drops the entry), and the
     * entries of {@code added} appended.
     */
    static Path rewrite(Path in, Path out, BiFunction<String, byte[], byte[]> change, Map<String, byte[]> added) throws IOException {
        try (ZipFile z = new ZipFile(in.toFile()); ZipOutputStream zo = new ZipOutputStream(Files.newOutputStream(out))) {
            for (ZipEntry e : z.stream().toList()) {
                byte[] content;
                try (InputStream is = z.getInputStream(e)) {
                    content = is.readAllBytes();
                }
                byte[] now = change.apply(e.getName(), content);
                if (now == null) continue;
                zo.putNextEntry(new ZipEntry(e.getName()));
                zo.write(now);
                zo.closeEntry();
            }
            for (var a : added.entrySet()) {
                zo.putNextEntry(new ZipEntry(a.getKey()));
                zo.write(a.getValue());
                zo.closeEntry();
            }
        }
        return out;
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

}
