package pcm.ui.internal.exec;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.Hashtable;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.startlevel.BundleStartLevel;

/** Issue 12 item 4: which bundles the readiness check waits for the framework to start. */
class ReadinessProbeTest {

    @AfterEach
    void reset() {
        ReadinessProbe.startLevelDone = false;
    }

    static Bundle bundle(int state, int startLevel, boolean persistentlyStarted, String header, String value) {
        Hashtable<String, String> headers = new Hashtable<>();
        if (header != null) headers.put(header, value);
        BundleStartLevel bsl = (BundleStartLevel) Proxy.newProxyInstance(ReadinessProbeTest.class.getClassLoader(),
            new Class<?>[] {BundleStartLevel.class}, (p, m, a) -> switch (m.getName()) {
                case "getStartLevel" -> startLevel;
                case "isPersistentlyStarted" -> persistentlyStarted;
                default -> throw new UnsupportedOperationException(m.getName());
            });
        return (Bundle) Proxy.newProxyInstance(ReadinessProbeTest.class.getClassLoader(), new Class<?>[] {Bundle.class},
            (p, m, a) -> switch (m.getName()) {
                case "getState" -> state;
                case "getHeaders" -> headers;
                case "getBundleId" -> 42L;
                case "adapt" -> a[0] == BundleStartLevel.class ? bsl : null;
                default -> throw new UnsupportedOperationException(m.getName());
            });
    }

    /**
     * pcm.vmx (level 2, after pcm.ui) while the bnd launcher raises the start level to 5 with the beginning property at
     * 1: it was not waited for ("up to the beginning level" was up to 1), and pcm:run found no KVM backend.
     */
    @Test
    void aResolvedBundleMarkedToStartIsWaitedForUntilTheStartLevelIsRaised() {
        Bundle b = bundle(Bundle.RESOLVED, 2, true, null, null);
        assertTrue(ReadinessProbe.toStart(null, b));
        assertTrue(ReadinessProbe.toStart(null, bundle(Bundle.RESOLVED, 4, true, null, null)), "whatever its level");
        // the framework has tried it: its start failed, nothing will start it now (was: waited for until the timeout)
        ReadinessProbe.startLevelDone = true;
        assertFalse(ReadinessProbe.toStart(null, b));
        assertTrue(ReadinessProbe.toStart(null, bundle(Bundle.STARTING, 2, true, null, null)), "in its activator");
    }

    @Test
    void notWaitedFor() {
        assertFalse(ReadinessProbe.toStart(null, bundle(Bundle.ACTIVE, 2, true, null, null)));
        assertFalse(ReadinessProbe.toStart(null, bundle(Bundle.RESOLVED, 2, false, null, null)), "not marked to start");
        assertFalse(ReadinessProbe.toStart(null, bundle(Bundle.RESOLVED, 2, true, "Fragment-Host", "x")));
        assertFalse(ReadinessProbe.toStart(null, bundle(Bundle.STARTING, 2, true, "Bundle-ActivationPolicy", "lazy")));
    }
}
