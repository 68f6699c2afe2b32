package pcm.ui.internal.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

import pcm.config.api.ChangeResult;
import pcm.config.api.Setting;
import pcm.config.api.SettingType;
import pcm.config.api.Settings;
import pcm.config.api.SettingsException;
import pcm.config.api.SettingsPid;
import pcm.ui.internal.commands.CommandFailure;
import pcm.ui.internal.status.ExitStatus;

/** {@code pcm:config} on pcm.config's settings service: what it shows, and a refusal is USAGE with the service's reason. */
class ConfigCommandTest {

    static final Setting WORKERS = new Setting("workers", "Worker threads", null, SettingType.INTEGER, 0, List.of("2"), List.of(),
            "1..64", List.of("3"), true);
    static final Setting VERIFIERS = new Setting("verifiers", "Verifiers", null, SettingType.STRING, 10, List.of("soft"), List.of(),
            null, List.of("soft", "kvm"), true);
    static final SettingsPid VERIFICATION = new SettingsPid("pcm.verification", "Verification", null, "pcm.core", true,
            Path.of("/data/conf/pcm.verification.config"), List.of(WORKERS, VERIFIERS));

    /** A settings service that refuses workers=99 as pcm.config does and applies anything else. */
    static final Settings SETTINGS = new Settings() {
        public List<SettingsPid> list() { return List.of(VERIFICATION); }
        public Optional<SettingsPid> get(String pid) { return list().stream().filter(p -> p.pid().equals(pid)).findFirst(); }
        public ChangeResult change(String pid, Map<String, String> values) throws SettingsException {
            if (values.containsValue("99")) throw SettingsException.refused(pid, List.of(new SettingsException.Problem("workers", "99",
                    "Worker threads", "greater than maximum; allowed 1..64")));
            return new ChangeResult(VERIFICATION.file(), true, VERIFICATION);
        }
    };

    static BundleContext context(Settings settings) {
        ServiceReference<?> ref = (ServiceReference<?>) Proxy.newProxyInstance(ConfigCommandTest.class.getClassLoader(),
                new Class<?>[] {ServiceReference.class}, (p, m, a) -> null);
        return (BundleContext) Proxy.newProxyInstance(ConfigCommandTest.class.getClassLoader(), new Class<?>[] {BundleContext.class},
                (p, m, a) -> switch (m.getName()) {
                    case "getServiceReference" -> ref;
                    case "getService" -> settings;
                    case "ungetService" -> true;
                    default -> null;
                });
    }

    @Test
    void showsValuesDefaultsAndWhatIsAllowed() {
        String shown = new ConfigCommand(context(SETTINGS)).config("show", "pcm.verification");
        assertTrue(shown.startsWith("pcm.verification - Verification (bundle pcm.core)"), shown);
        assertTrue(shown.contains("an integer 1..64"), shown);
        assertTrue(shown.contains("[soft, kvm]") && shown.contains("text list, comma-separated"), shown);
        assertTrue(String.valueOf(new ConfigCommand(context(SETTINGS)).config("list")).contains("pcm.verification"));
        assertEquals(List.of("pcm.verification"), new ConfigCommand(context(SETTINGS)).config("pids"));
        assertEquals(ExitStatus.USAGE, assertThrows(CommandFailure.class,
                () -> new ConfigCommand(context(SETTINGS)).config("show", "pcm.nosuch")).status());
    }

    @Test
    void aRefusedValueIsUsageNamingPidKeyValueAndWhy() {
        CommandFailure f = assertThrows(CommandFailure.class,
                () -> new ConfigCommand(context(SETTINGS)).config("set", "pcm.verification", "workers", "99"));
        assertEquals(ExitStatus.USAGE, f.status());
        assertEquals("pcm.verification: workers=99 rejected (Worker threads: greater than maximum; allowed 1..64); nothing changed", f.getMessage());
    }

    @Test
    void anAppliedValueSaysWhereItIs() throws Exception {
        assertEquals("pcm.verification: workers=3 (in /data/conf/pcm.verification.config)",
                new ConfigCommand(context(SETTINGS)).config("set", "pcm.verification", "workers", "3"));
    }
}
