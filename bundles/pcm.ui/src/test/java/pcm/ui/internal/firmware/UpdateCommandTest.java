package pcm.ui.internal.firmware;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

import pcm.ui.api.firmware.Firmware;
import pcm.ui.api.firmware.FirmwareException;
import pcm.ui.api.firmware.FirmwareImage;
import pcm.ui.internal.commands.CommandFailure;
import pcm.ui.internal.status.ExitStatus;

/** The shell's {@code update}: both forms go to the firmware service; its refusals become exit statuses. */
class UpdateCommandTest {

    @TempDir
    Path dir;
    final List<String> calls = new ArrayList<>();

    Firmware firmware(FirmwareException failure) {
        return new Firmware() {
            public List<FirmwareImage> inventory() { return List.of(); }
            public long maxImageBytes() { return 1 << 20; }
            public FirmwareImage install(byte[] jar) throws FirmwareException {
                calls.add("install");
                if (failure != null) throw failure;
                return new FirmwareImage("test.fw", "2.0.0", true, 7, "ACTIVE", "jar/test.fw.jar");
            }
            public List<FirmwareImage> installSet(java.util.Map<String, byte[]> jars) { throw new UnsupportedOperationException(); }
            public FirmwareImage rollback(String symbolicName) { throw new UnsupportedOperationException(); }
            public FirmwareImage reread(long bundleId) throws FirmwareException {
                calls.add("reread " + bundleId);
                if (failure != null) throw failure;
                return new FirmwareImage("test.fw", "1.0.0", true, bundleId, "ACTIVE", "jar/test.fw.jar");
            }
        };
    }

    static BundleContext context(Firmware f) {
        ServiceReference<?> ref = (ServiceReference<?>) Proxy.newProxyInstance(UpdateCommandTest.class.getClassLoader(),
                new Class<?>[] {ServiceReference.class}, (p, m, a) -> null);
        return (BundleContext) Proxy.newProxyInstance(UpdateCommandTest.class.getClassLoader(), new Class<?>[] {BundleContext.class},
                (p, m, a) -> switch (m.getName()) {
                    case "getServiceReference" -> ref;
                    case "getService" -> f;
                    case "ungetService" -> true;
                    default -> null;
                });
    }

    static Bundle bundle(long id, String bsn) {
        return (Bundle) Proxy.newProxyInstance(UpdateCommandTest.class.getClassLoader(), new Class<?>[] {Bundle.class},
                (p, m, a) -> switch (m.getName()) {
                    case "getBundleId" -> id;
                    case "getSymbolicName" -> bsn;
                    default -> null;
                });
    }

    @Test
    void withoutAUrlTheBundleIsReadAgainFromWhereItCame() {
        String out = new UpdateCommand(context(firmware(null))).update(bundle(7, "test.fw"));
        assertEquals(List.of("reread 7"), calls);
        assertTrue(out.startsWith("bundle 7 test.fw 1.0.0 ACTIVE"), out);
        CommandFailure f = assertThrows(CommandFailure.class, () -> new UpdateCommand(context(firmware(new FirmwareException(
                FirmwareException.Kind.NOT_RESOLVABLE, "test.fw 2.0.0 cannot be resolved: ...; test.fw 1.0.0 is active again"))))
                .update(bundle(7, "test.fw")));
        assertEquals(ExitStatus.FAILED, f.status());
        assertTrue(f.getMessage().endsWith("1.0.0 is active again"), f.getMessage());
    }

    @Test
    void aUrlOfAnotherBundleIsRefusedAndNothingInstalled() throws Exception {
        Path jar = dir.resolve("other.jar");
        Files.write(jar, FirmwareServiceTest.jar("test.other", "1.0.0"));
        CommandFailure f = assertThrows(CommandFailure.class, () -> new UpdateCommand(context(firmware(null)))
                .update(bundle(7, "test.fw"), jar.toUri().toString()));
        assertEquals(ExitStatus.USAGE, f.status());
        assertTrue(f.getMessage().contains("holds test.other, not test.fw"), f.getMessage());
        assertEquals(List.of(), calls, "nothing installed");
        Path same = dir.resolve("same.jar");
        Files.write(same, FirmwareServiceTest.jar("test.fw", "2.0.0"));
        assertTrue(new UpdateCommand(context(firmware(null))).update(bundle(7, "test.fw"), same.toUri().toString()).contains("2.0.0 ACTIVE"));
        assertEquals(ExitStatus.USAGE, assertThrows(CommandFailure.class, () -> new UpdateCommand(context(firmware(null)))
                .update(bundle(7, "test.fw"), "file:/no/such.jar")).status());
    }
}
