package pcm.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

import pcm.itests.LauncherIT.Run;

/**
 * Issue 17 item 1: the product variants (runconfigs/*.bndrun, exported jars) started the way an operator starts them,
 * {@code bin/pcm --variant NAME}, headless; a customer's configuration as OSGi Configurator JSON, from a customer bundle
 * (oem-example) and from {@code <data>/customer/}, applied at start; a wrong one refused whole, naming file and key.
 */
class VariantsIT {

    static final long CALL_SECONDS = 120;

    /** bin/pcm --data DIR args... of this repository, choosing the jar by --variant (no PCM_JAR). */
    static Run pcm(Path data, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Resident.binPcm().toString(), "--data", data.toString()));
        cmd.addAll(List.of(args));
        Path out = Files.createTempFile(data, "out", ".txt");
        Path err = Files.createTempFile(data, "err", ".txt");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(out.toFile()).redirectError(err.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("PCM_JAR");
        pb.environment().remove("PCM_JAVA_OPTS");
        Process p = pb.start();
        if (!p.waitFor(CALL_SECONDS, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("bin/pcm " + String.join(" ", args) + " did not end within " + CALL_SECONDS + " s");
        }
        return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
    }

    /** A customer's Configurator file in {@code <data>/customer/} (outside a bundle it names itself). */
    static Path customerFile(Path data, String name, String configurations) throws Exception {
        Files.createDirectories(data.resolve("customer"));
        return Files.writeString(data.resolve("customer").resolve(name), """
            {
              ":configurator:symbolic-name": "customer.test",
              ":configurator:version": "1.0.0",
            """ + configurations + "\n}\n");
    }

    // a line of several commands prints only the last one's result: echo prints the first one's

    static boolean hasBundle(String lbOutput, String symbolicName) {
        return Pattern.compile("\\|" + Pattern.quote(symbolicName) + " \\(").matcher(lbOutput).find();
    }

    @Test
    void theStandardProductIsTheDefault() throws Exception {
        Run r = pcm(Resident.freshData("variant-standard"), "exec", "echo (pcm:status) ; lb -s");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("PCM kernel status"), r.out());
        assertTrue(r.err().contains("bundle trust: signed bundles not required"), "no signing policy in development: " + r.err());
        for (String b : List.of("pcm.redfish", "pcm.webconsole", "org.apache.felix.http.jetty12", "org.apache.felix.configurator")) {
            assertTrue(hasBundle(r.out(), b), b + " in the standard product: " + r.out());
        }
    }

    @Test
    void headlessHasNoHttpAndTakesTheCustomerFileOfItsDataDirectory() throws Exception {
        Path data = Resident.freshData("variant-headless");
        customerFile(data, "globex site.json", """
              "pcm.branding": { "productName": "Globex Checker", "shellBanner": "Globex Checker by Globex" }""");
        Run r = pcm(data, "--variant", "headless", "exec", "echo (pcm:status) ; lb -s");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("Globex Checker kernel status"), "the customer's branding applied at start: " + r.out());
        for (String b : List.of("pcm.redfish", "pcm.webconsole", "org.apache.felix.http.jetty12", "org.apache.felix.http.servlet-api")) {
            assertFalse(hasBundle(r.out(), b), b + " is not in the headless variant: " + r.out());
        }
        for (String b : List.of("pcm.core", "pcm.ui", "pcm.softcpu", "org.apache.felix.gogo.jline")) {
            assertTrue(hasBundle(r.out(), b), b + " is: " + r.out());
        }
        assertTrue(r.err().contains(data.resolve("customer/globex site.json") + ": customer configuration of pcm.branding checked"), r.err());

        Run start = pcm(data, "--variant", "headless", "start");
        assertEquals(2, start.status(), "no HTTP server, no resident PCM: " + start.err());
        assertTrue(start.err().contains("variant 'headless' has no HTTP server"), start.err());
    }

    @Test
    void theMainJobRunsOnTheHeadlessVariant() throws Exception {
        Run r = pcm(Resident.freshData("variant-headless-run"), "--variant", "headless", "run");
        assertEquals(0, r.status(), r.out() + r.err());
        assertTrue(r.out().contains("PCM-GUEST-DONE"), r.out());
        assertTrue(r.out().contains("0 DIVERGED"), r.out());
    }

    @Test
    void theOemExampleShowsItsBrandingAndAppliesItsCustomerBundle() throws Exception {
        Path data = Resident.freshData("variant-oem");
        Path unsigned = data.resolve("deploy/device.jar"); // the OEM variant takes signed drop-ins only (issue 17 item 5)
        Files.createDirectories(unsigned.getParent());
        Files.copy(Path.of(System.getProperty("b.example.device")), unsigned);
        Run r = pcm(data, "--variant", "oem-example", "exec", "echo (pcm:banner) ; echo (pcm:config show pcm.verification) ; lb -s");
        assertEquals(0, r.status(), r.err());
        assertTrue(r.out().contains("ACME Guardian G-100"), "the OEM's banner: " + r.out());
        assertTrue(Pattern.compile("(?m)^workers\\s+3\\s").matcher(r.out()).find(), "from pcm.itests.customer's acme.json: " + r.out());
        assertTrue(Pattern.compile("(?m)^verifierGraceMillis\\s+20000\\s").matcher(r.out()).find(), r.out());
        assertTrue(r.err().contains("bundle pcm.itests.customer OSGI-INF/configurator/acme.json: customer configuration of pcm.verification checked"), r.err());
        assertTrue(r.err().contains("bundle trust: signed bundles required"), r.err());
        assertTrue(r.err().contains(unsigned + ": NO_TRUST_STORE: signed bundles are required, but there is no trust store "
                + data.resolve("trust/truststore.p12")), "the drop-in refused, naming it and why: " + r.err());
        assertFalse(hasBundle(r.out(), "pcm.example.device"), r.out());
    }

    @Test
    void aWrongCustomerFileIsRefusedWholeNamingFileAndKey() throws Exception {
        Path data = Resident.freshData("variant-bad-customer");
        Path bad = customerFile(data, "initech.json", """
              "pcm.branding": { "productName": "Initech Checker" },
              "pcm.verification": { "workers:Integer": 500 }""");
        Run r = pcm(data, "--variant", "headless", "exec", "pcm:status");
        assertEquals(0, r.status(), "PCM runs on: " + r.err());
        assertTrue(r.err().contains(bad + ": customer configuration refused, none of it is applied: pcm.verification: workers=500"),
            "file and key named: " + r.err());
        assertTrue(r.out().contains("PCM kernel status"), "not even the file's good value is applied: " + r.out());
        assertFalse(r.out().contains("Initech"), r.out());
        assertTrue(Files.readString(data.resolve("log/pcm.log")).contains(bad + ": customer configuration refused"), "and in the log");
    }

    @Test
    void anUnknownVariantIsAnOperatorErrorListingTheVariants() throws Exception {
        Run r = pcm(Resident.freshData("variant-unknown"), "--variant", "deluxe", "exec", "pcm:status");
        assertEquals(2, r.status(), r.err());
        assertTrue(r.err().contains("unknown variant 'deluxe'; the variants are: standard, headless, oem-example"), r.err());
    }
}
