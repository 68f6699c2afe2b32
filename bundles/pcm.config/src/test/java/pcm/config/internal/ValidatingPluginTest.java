package pcm.config.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.lang.reflect.Proxy;
import java.util.Dictionary;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * Issue 11 item 8: a rejected configuration leaves the component on its last good one, through the plug-in as Config
 * Admin calls it (one call per delivery); a PID without metatype passes untouched.
 */
class ValidatingPluginTest {

    @SuppressWarnings("unchecked")
    static <T> T proxy(Class<T> type, java.util.function.Function<String, Object> answer) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, a) -> switch (m.getName()) {
            case "hashCode" -> System.identityHashCode(p);
            case "equals" -> p == a[0];
            case "toString" -> type.getSimpleName();
            default -> answer.apply(m.getName());
        });
    }

    static ValidatingPlugin plugin() {
        return plugin(pcm.config.internal.customer.CustomerResources.NONE);
    }

    static ValidatingPlugin plugin(pcm.config.internal.customer.CustomerResources customer) {
        MetaTypeInformation info = proxy(MetaTypeInformation.class, m -> switch (m) {
            case "getPids" -> new String[] {"pcm.vm"};
            case "getFactoryPids" -> new String[0];
            case "getObjectClassDefinition" -> ConfigValidatorTest.VM;
            default -> null;
        });
        MetaTypeService mts = proxy(MetaTypeService.class, m -> m.equals("getMetaTypeInformation") ? info : null);
        Bundle core = proxy(Bundle.class, m -> switch (m) {
            case "getState" -> Bundle.ACTIVE;
            case "findEntries" -> null;
            default -> null;
        });
        ServiceReference<?> mtsRef = proxy(ServiceReference.class, m -> null);
        BundleContext context = proxy(BundleContext.class, m -> switch (m) {
            case "getServiceReference" -> mtsRef;
            case "getService" -> mts;
            case "ungetService" -> true;
            case "getBundles" -> new Bundle[] {core};
            default -> null;
        });
        return new ValidatingPlugin(context, customer);
    }

    static Dictionary<String, Object> vm(Object... kv) {
        Dictionary<String, Object> d = ConfigValidatorTest.dict(kv);
        d.put("service.pid", "pcm.vm");
        d.put(ValidatingPlugin.FILENAME, "file:/data/conf/pcm.vm.cfg");
        return d;
    }

    @Test
    void aBadUpdateKeepsTheLastGoodValues() {
        ValidatingPlugin p = plugin();
        Dictionary<String, Object> good = vm("memoryMiB", "128", "backend", "kvm");
        p.modifyConfiguration(null, good);
        assertEquals("128", good.get("memoryMiB"), "a good configuration passes as it is");

        Dictionary<String, Object> bad = vm("memoryMiB", "abc", "backend", "soft", "pcm.config.generation", "2");
        p.modifyConfiguration(null, bad);
        assertEquals("128", bad.get("memoryMiB"));
        assertEquals("kvm", bad.get("backend"), "the whole configuration stays as it was, not only the bad key");
        assertEquals("2", bad.get("pcm.config.generation"), "keys without metatype pass");

        Dictionary<String, Object> again = vm("memoryMiB", "1048576");
        p.modifyConfiguration(null, again);
        assertEquals("128", again.get("memoryMiB"), "still the last good one, not the rejected one");

        Dictionary<String, Object> fixed = vm("memoryMiB", "256");
        p.modifyConfiguration(null, fixed);
        assertEquals("256", fixed.get("memoryMiB"));
        assertNull(fixed.get("backend"), "a good configuration is taken as it is: backend back to its default");
    }

    @Test
    void aBadFirstConfigurationLeavesTheDefaults() {
        Dictionary<String, Object> bad = vm("memoryMiB", "abc", "timerHz", "100");
        plugin().modifyConfiguration(null, bad);
        assertNull(bad.get("memoryMiB"));
        assertEquals("100", bad.get("timerHz"), "not defined by this (test) object class: untouched");
    }

    @Test
    void aPidWithoutMetatypePasses() {
        Dictionary<String, Object> other = ConfigValidatorTest.dict("service.pid", "org.example", "memoryMiB", "abc");
        plugin().modifyConfiguration(null, other);
        assertEquals("abc", other.get("memoryMiB"));
    }

    @Test
    void aFactoryConfigurationOfAPidDesignatedAsSingletonIsCheckedToo() {
        // DS components take factory configurations of their PID (FaultInjectingVerifier's: @Designate without factory = true)
        Dictionary<String, Object> bad = ConfigValidatorTest.dict("service.pid", "pcm.vm~second", "service.factoryPid", "pcm.vm",
                "memoryMiB", "abc", ValidatingPlugin.FILENAME, "file:/data/conf/pcm.vm-second.config");
        plugin().modifyConfiguration(null, bad);
        assertNull(bad.get("memoryMiB"), "rejected: the defaults");
    }
}
