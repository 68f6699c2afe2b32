package pcm.redfish.internal.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * PCM's own server certificate, as a BMC makes one at its first boot: an EC P-256 key and a self-signed certificate
 * whose subject alternative names are localhost, the loopback addresses and the configured host names, in a PKCS12
 * keystore (0600) whose random password is in a file beside it (0600). Made by the JDK's {@code keytool} run as a
 * process (the runtime's own, {@code java.home}/bin/keytool, also in a jlink'ed runtime: it belongs to java.base),
 * so no private JDK API and no extra library are needed.
 */
public final class SelfSignedKeystore {

    public static final String KEYSTORE = "secrets/https.p12";
    public static final String PASSWORD = "secrets/https.password";
    public static final String ALIAS = "pcm-https";

    /** A host name (RFC 1123 labels) or an IPv4/IPv6 address: nothing that could break keytool's -dname or -ext. */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    /** Addresses that mean "every interface": not a name a client can connect to. */
    private static final Set<String> WILDCARDS = Set.of("0.0.0.0", "::", "*", "");

    private SelfSignedKeystore() {}

    /** The subject alternative names: localhost, 127.0.0.1, ::1, then the given hosts (wildcards dropped), each once. */
    public static List<String> subjectAlternativeNames(Collection<String> hosts, Path keystore) throws HttpsKeystoreException {
        Set<String> names = new LinkedHashSet<>(List.of("localhost", "127.0.0.1", "::1"));
        for (String h : hosts) {
            String host = h == null ? "" : h.strip();
            if (WILDCARDS.contains(host)) continue;
            if (!HOST.matcher(host).matches())
                throw new HttpsKeystoreException(keystore, "'" + h + "' is not a host name or address for the certificate (pcm.https hostNames)");
            names.add(host);
        }
        List<String> san = new ArrayList<>();
        for (String n : names) san.add((IPV4.matcher(n).matches() || n.contains(":") ? "ip:" : "dns:") + n);
        return san;
    }

    /**
     * Generates the keystore and its password file under {@code data} (replacing both). The files appear only complete:
     * written under temporary names, then moved.
     */
    public static void generate(Path data, Collection<String> hosts, int validityDays, Path keytool) throws HttpsKeystoreException {
        Path keystore = data.resolve(KEYSTORE);
        Path passwordFile = data.resolve(PASSWORD);
        List<String> san = subjectAlternativeNames(hosts, keystore);
        if (!Files.isExecutable(keytool))
            throw new HttpsKeystoreException(keystore, "cannot generate the HTTPS certificate: no keytool at " + keytool);
        Path dir = keystore.getParent();
        Path tmpStore = dir.resolve("https.p12.new");
        Path tmpPassword = dir.resolve("https.password.new");
        Path log = dir.resolve("https.keytool.log");
        try {
            if (!Files.isDirectory(dir)) Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            Files.deleteIfExists(tmpStore);
            Files.deleteIfExists(tmpPassword);
            byte[] random = new byte[24];
            new SecureRandom().nextBytes(random);
            Files.createFile(tmpPassword, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            Files.writeString(tmpPassword, Base64.getUrlEncoder().withoutPadding().encodeToString(random) + "\n", StandardCharsets.UTF_8);
            // the password goes to keytool as a file: never on a command line others can read in /proc
            List<String> cmd = List.of(keytool.toString(), "-genkeypair", "-noprompt",
                    "-alias", ALIAS, "-keyalg", "EC", "-groupname", "secp256r1", "-sigalg", "SHA256withECDSA",
                    "-validity", Integer.toString(validityDays),
                    "-dname", "CN=" + commonName(san) + ", O=PCM self-signed",
                    "-ext", "SAN=" + String.join(",", san),
                    "-ext", "EKU=serverAuth",
                    "-keystore", tmpStore.toString(), "-storetype", "PKCS12",
                    "-storepass:file", tmpPassword.toString());
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new HttpsKeystoreException(keystore, "keytool did not end within 60 s");
            }
            String out = Files.readString(log, StandardCharsets.UTF_8).strip();
            if (p.exitValue() != 0 || !Files.isRegularFile(tmpStore))
                throw new HttpsKeystoreException(keystore, "keytool could not generate the HTTPS certificate (status " + p.exitValue() + "): " + out);
            Files.setPosixFilePermissions(tmpStore, PosixFilePermissions.fromString("rw-------"));
            Files.move(tmpPassword, passwordFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.move(tmpStore, keystore, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new HttpsKeystoreException(keystore, "cannot generate the HTTPS certificate: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HttpsKeystoreException(keystore, "interrupted while generating the HTTPS certificate", e);
        } finally {
            try {
                Files.deleteIfExists(tmpStore);
                Files.deleteIfExists(tmpPassword);
                Files.deleteIfExists(log);
            } catch (IOException ignored) {
                // leftovers are replaced at the next generation
            }
        }
    }

    /** The first configured host (what an operator would call the machine), else localhost. */
    private static String commonName(List<String> san) {
        String first = san.size() > 3 ? san.get(3) : san.get(0);
        return first.substring(first.indexOf(':') + 1).replace(":", "-");
    }

    /** The keystore's password: the first line of its password file. */
    public static String readPassword(Path passwordFile, Path keystore) throws HttpsKeystoreException {
        try {
            String pw = Files.readString(passwordFile, StandardCharsets.UTF_8).lines().findFirst().orElse("").strip();
            if (pw.isEmpty()) throw new HttpsKeystoreException(passwordFile, "the password file of " + keystore + " is empty");
            return pw;
        } catch (IOException e) {
            throw new HttpsKeystoreException(passwordFile, "cannot read the password of " + keystore + ": " + e, e);
        }
    }
}
