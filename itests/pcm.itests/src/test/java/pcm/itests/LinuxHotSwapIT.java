package pcm.itests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 14 item 5: while Debian's Linux runs its shell on a resident PCM, a newer build of the UART bundle
 * ({@code pcm.devices.uart}) is pushed through the Redfish UpdateService. The bus hands the running 16550's state
 * to the new one (pcm.core.api.bus.StatefulDevice) and holds the guest's accesses meanwhile: the guest runs on,
 * and the console keeps answering commands typed with {@code pcm:console send} before and after the swap.
 * Skipped, with the reason, when the test guest is not built ({@code bin/linux-guest}; .ci/run builds it).
 */
class LinuxHotSwapIT {

    static final long BOOT_SECONDS = 300;

    @Test
    @Timeout(value = 600, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void theUartBundleIsReplacedWhileLinuxRunsAndTheConsoleKeepsWorking() throws Exception {
        Optional<Path> g = LinuxGuest.guest();
        assumeTrue(g.isPresent(), "no test guest built (run bin/linux-guest): Debian's kernel is not booted");
        Path data = Resident.freshData("linux-swap-data");
        Files.writeString(data.resolve("conf/pcm.vm.cfg"), "backend=\"soft\"\nmemoryMiB=I\"256\"\n"
                + "kernel=\"" + g.get().resolve("vmlinuz") + "\"\ninitrd=\"" + g.get().resolve("initramfs.cpio.gz") + "\"\n"
                + "kernelCommandLine=\"console=ttyS0 cryptomgr.notests\"\n");
        Files.writeString(data.resolve("conf/pcm.sampling.periodic.config"), "periodMillis=L\"86400000\"\n"); // no windows
        try (Resident pcm = new Resident(data)) {
            Resident.Run started = pcm.start();
            assertEquals(0, started.status(), started.toString());
            String url = pcm.url();
            String base = url.substring(0, url.indexOf("/redfish"));
            String auth = "Basic " + Base64.getEncoder().encodeToString(("admin:" + pcm.adminPassword()).getBytes(StandardCharsets.UTF_8));
            HttpClient http = ApiClient.HTTP; // trusts this resident's certificate (pcm.url())
            HttpResponse<String> on = http.send(HttpRequest.newBuilder(URI.create(base + "/redfish/v1/Systems/guest/Actions/ComputerSystem.Reset"))
                    .header("Authorization", auth).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"ResetType\": \"On\"}")).build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(204, on.statusCode(), on.body());
            Path console = data.resolve("log/console.log");
            awaitConsole(console, "pcm-linux#", 0, BOOT_SECONDS);

            int mark = consoleLength(console);
            send(pcm, "expr 1000 + 234");
            awaitConsole(console, "1234", mark, 60);

            // a newer build of the UART bundle, pushed while the guest runs
            byte[] newer = FirmwareUpdateIT.withVersion(FirmwareUpdateIT.built("pcm.devices.uart"), "0.1.1.swap");
            HttpResponse<String> push = http.send(HttpRequest.newBuilder(URI.create(base + "/redfish/v1/UpdateService/update"))
                    .header("Authorization", auth).header("Content-Type", "application/octet-stream")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(newer)).build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(push.statusCode() / 100 == 2, push.statusCode() + " " + push.body());

            mark = consoleLength(console);
            send(pcm, "expr 4000 + 321");
            awaitConsole(console, "4321", mark, 60);
            String log = Files.readString(data.resolve("log/pcm.log"));
            assertTrue(log.contains("took over state uart16550@0x3f8"), "the new UART took the old one's state:\n" + tail(log));
            Resident.Run status = pcm.exec("pcm:vm status");
            assertTrue(status.out().contains("RUNNING"), "the guest ran on through the swap\n" + status);

            send(pcm, "poweroff -f");
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (System.nanoTime() < deadline && !Files.readString(data.resolve("log/pcm.log")).contains("ACPI power-off (S5)")) {
                Thread.sleep(200);
            }
            assertTrue(Files.readString(data.resolve("log/pcm.log")).contains("guest stopped: status 0 (ACPI power-off (S5))"),
                    tail(Files.readString(data.resolve("log/pcm.log"))));
        }
    }

    private static void send(Resident pcm, String line) throws Exception {
        Resident.Run r = pcm.exec("pcm:console send '" + line + "'");
        assertEquals(0, r.status(), r.toString());
    }

    private static int consoleLength(Path console) throws Exception {
        return Files.exists(console) ? Files.readString(console, StandardCharsets.ISO_8859_1).length() : 0;
    }

    private static void awaitConsole(Path console, String mark, int from, long seconds) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String text = "";
        while (System.nanoTime() < deadline) {
            text = Files.exists(console) ? Files.readString(console, StandardCharsets.ISO_8859_1) : "";
            if (text.indexOf(mark, Math.min(from, text.length())) >= 0) return;
            Thread.sleep(200);
        }
        throw new AssertionError("no '" + mark + "' on the guest console within " + seconds + " s:\n" + tail(text));
    }

    private static String tail(String s) {
        return s.length() <= 4000 ? s : s.substring(s.length() - 4000);
    }
}
