package pcm.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Issue 17 item 3, branding as a bundle: a resident PCM with its guest running shows PCM's branding (with a customer's
 * support e-mail from {@code conf/pcm.branding.cfg}) in Redfish, the web console and the shell; the example OEM
 * branding bundle (itests/pcm.itests.branding) dropped into {@code deploy/} rebrands all three live, and removing it
 * brings PCM's branding back, the guest running throughout. A bad customer value is refused by its key and changes
 * nothing.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BrandingIT {

    static final String CUSTOMER_EMAIL = "pcm-help@customer.example";
    static final long WAIT_SECONDS = 60;

    static Resident pcm;
    static ApiClient api;
    static final ObjectMapper JSON = ApiClient.JSON;

    @BeforeAll
    static void start() throws Exception {
        Path data = Resident.freshData("branding-data");
        Files.writeString(data.resolve("conf/pcm.vm.cfg"), "workloadBlocks=L\"1000000000\"\n"); // runs until stopped
        Files.writeString(data.resolve("conf/pcm.sampling.periodic.config"), "periodMillis=L\"86400000\"\n"); // no windows needed
        Files.writeString(data.resolve("conf/pcm.branding.cfg"), "supportEmail=" + CUSTOMER_EMAIL + "\n");
        pcm = new Resident(data);
        Resident.Run r = pcm.start();
        assertEquals(0, r.status(), r.toString());
        api = ApiClient.of(pcm);
        HttpResponse<String> on = send("POST", "/redfish/v1/Systems/guest/Actions/ComputerSystem.Reset", true, "{\"ResetType\": \"On\"}");
        assertEquals(204, on.statusCode(), on.body());
    }

    @AfterAll
    static void stop() throws Exception {
        if (pcm != null) pcm.close();
    }

    static HttpResponse<String> send(String method, String path, boolean authenticated, String body) throws Exception {
        return api.send(method, path, authenticated ? api.admin() : null, body,
                body == null ? Map.of() : Map.of("Content-Type", "application/json"));
    }

    static JsonNode get(String path) throws Exception {
        return api.get(path);
    }

    /** The console's branding: no credentials, like the login page that shows it. */
    static HttpResponse<String> console(String name) throws Exception {
        HttpResponse<String> r = send("GET", "/console/branding/" + name, false, null);
        assertEquals(200, r.statusCode(), name + ": " + r.body());
        return r;
    }

    static String manufacturer() throws Exception {
        return get("/redfish/v1/Systems/guest").get("Manufacturer").asText();
    }

    static String exec(String line) throws Exception {
        HttpResponse<String> r = send("POST", "/redfish/v1/Managers/pcm/Actions/Oem/Pcm.Exec", true,
                JSON.writeValueAsString(Map.of("Command", line)));
        assertEquals(200, r.statusCode(), r.body());
        JsonNode n = JSON.readTree(r.body());
        assertEquals(0, n.get("ExitStatus").asInt(), n.toString());
        return n.get("Output").asText();
    }

    static void awaitManufacturer(String expected) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        String seen = manufacturer();
        while (!seen.equals(expected) && System.nanoTime() - deadline < 0) {
            Thread.sleep(200);
            seen = manufacturer();
        }
        assertEquals(expected, seen, "Manufacturer within " + WAIT_SECONDS + " s");
    }

    static void assertGuestRuns() throws Exception {
        JsonNode system = get("/redfish/v1/Systems/guest");
        assertEquals("On", system.get("PowerState").asText(), system.toString());
        assertEquals("RUNNING", system.get("Oem").get("Pcm").get("VmState").asText(), system.toString());
    }

    /** PCM's own branding, everywhere; {@code pcm.branding.cfg} of the customer adds the support e-mail. */
    static void assertPcmBranding() throws Exception {
        JsonNode system = get("/redfish/v1/Systems/guest");
        assertEquals("PCM", system.get("Manufacturer").asText());
        assertEquals("Platform Checking Module", system.get("Model").asText());
        JsonNode manager = get("/redfish/v1/Managers/pcm");
        assertEquals("PCM", manager.get("Manufacturer").asText());
        assertEquals("Platform Checking Module", manager.get("Model").asText());
        assertEquals("PCM", get("/redfish/v1").get("Vendor").asText());
        JsonNode branding = get("/redfish/v1/Oem/Pcm/Branding");
        assertEquals("pcm.branding", branding.get("Provider").get("Bundle").asText(), branding.toString());
        assertEquals(CUSTOMER_EMAIL, branding.get("SupportEmail").asText(), branding.toString());
        assertEquals("#16202e", branding.get("PrimaryColor").asText());
        JsonNode console = JSON.readTree(console("branding.json").body());
        assertEquals("PCM", console.get("productName").asText());
        assertEquals(CUSTOMER_EMAIL, console.get("supportEmail").asText());
        assertTrue(console("colours.css").body().contains("--primary: #16202e;"));
        String status = exec("pcm:status");
        assertTrue(status.startsWith("PCM Platform Checking Module\nPCM kernel status\n"), status);
    }

    @Test
    @Order(1)
    void pcmsBrandingWithTheCustomersSupportContact() throws Exception {
        assertPcmBranding();
        assertEquals("PCM Platform Checking Module", exec("pcm:banner").strip());
        HttpResponse<String> logo = send("GET", "/redfish/v1/Oem/Pcm/Branding/Logo", true, null);
        assertEquals(200, logo.statusCode());
        assertEquals("image/svg+xml", logo.headers().firstValue("Content-Type").orElse(""));
        assertTrue(logo.body().contains("<svg"), logo.body());
        assertEquals(401, send("GET", "/redfish/v1/Oem/Pcm/Branding", false, null).statusCode(), "the API's resource is authenticated");
        assertGuestRuns();
    }

    @Test
    @Order(2)
    void anOemBrandingBundleRebrandsPcmLiveAndItsRemovalBringsPcmBack() throws Exception {
        Path dropped = pcm.data.resolve("deploy/acme-branding.jar");
        Files.copy(Path.of(System.getProperty("b.branding")), dropped, StandardCopyOption.REPLACE_EXISTING);
        awaitManufacturer("ACME Servers Inc.");

        JsonNode system = get("/redfish/v1/Systems/guest");
        assertEquals("Guardian G-100", system.get("Model").asText());
        JsonNode manager = get("/redfish/v1/Managers/pcm");
        assertEquals("ACME Servers Inc.", manager.get("Manufacturer").asText());
        assertEquals("Guardian G-100", manager.get("Model").asText());
        JsonNode root = get("/redfish/v1");
        assertEquals("ACME Servers Inc.", root.get("Vendor").asText());
        assertEquals("ACME Guardian", root.get("Product").asText());
        JsonNode branding = get("/redfish/v1/Oem/Pcm/Branding");
        assertEquals("pcm.itests.branding", branding.get("Provider").get("Bundle").asText(), branding.toString());
        assertEquals(100, branding.get("Provider").get("Ranking").asInt());
        assertEquals("https://support.acme.example/guardian", branding.get("SupportURL").asText());
        HttpResponse<String> logo = send("GET", branding.get("Logo").get("@odata.id").asText(), true, null);
        assertTrue(logo.body().contains("aria-label=\"ACME\""), "the OEM's logo: " + logo.body());

        JsonNode console = JSON.readTree(console("branding.json").body());
        assertEquals("ACME Guardian", console.get("productName").asText());
        assertEquals("guardian-support@acme.example", console.get("supportEmail").asText());
        assertTrue(console("colours.css").body().contains("--primary: #5a1a1a;"));
        assertTrue(console("logo").body().contains("aria-label=\"ACME\""));

        String status = exec("pcm:status");
        assertTrue(status.startsWith("ACME Guardian G-100\nplatform checker by ACME Servers Inc.\nACME Guardian kernel status\n"), status);
        assertGuestRuns();

        Files.delete(dropped);
        awaitManufacturer("PCM");
        assertPcmBranding();
        assertGuestRuns();
    }

    @Test
    @Order(3)
    void aBadCustomerValueIsRefusedByItsKeyAndChangesNothing() throws Exception {
        Path cfg = pcm.data.resolve("conf/pcm.branding.cfg");
        Path next = Files.writeString(pcm.data.resolve("pcm.branding.cfg.new"),
                "supportEmail=" + CUSTOMER_EMAIL + "\nproductName=Broken\nprimaryColour=#12345g\n");
        Files.move(next, cfg, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        Path log = pcm.data.resolve("log/pcm.log");
        String expected = "pcm.branding refused: primaryColour '#12345g' is not a colour #rrggbb";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(WAIT_SECONDS);
        while (!Files.readString(log).contains(expected) && System.nanoTime() - deadline < 0) Thread.sleep(200);
        String logged = Files.readString(log);
        String line = logged.lines().filter(l -> l.contains(expected)).findFirst().orElse("");
        assertTrue(line.contains(cfg.toString()), "the file and the key are named in " + log + ": " + logged);
        assertPcmBranding(); // productName=Broken of the refused file is not taken either
        assertGuestRuns();
    }
}
