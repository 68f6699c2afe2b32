package pcm.config.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.util.Dictionary;
import java.util.Hashtable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.apache.felix.metatype.AD;
import org.junit.jupiter.api.Test;
import org.osgi.service.metatype.AttributeDefinition;
import org.osgi.service.metatype.ObjectClassDefinition;

/**
 * Issue 11 item 8: configuration values are checked against the metatype (type, min/max, options) by Felix MetaType's
 * own validation, as the runtime has it; the attributes are those of pcm.core's VmConfig, SamplingConfig and
 * VerificationConfig (bnd writes their min/max into the metatype XML).
 */
public class ConfigValidatorTest {

    /** Felix MetaType's attribute (the one the runtime validates with) behind the MetaType API. */
    public static AttributeDefinition ad(String id, String type, int cardinality, String min, String max, String... options) {
        AD ad = new AD();
        ad.setID(id);
        ad.setName(id);
        ad.setType(type);
        ad.setCardinality(cardinality);
        if (min != null) ad.setMin(min);
        if (max != null) ad.setMax(max);
        if (options.length > 0) {
            Map<String, String> o = new LinkedHashMap<>();
            for (String v : options) o.put(v, v);
            ad.setOptions(o);
        }
        ad.setRequired(true);
        return new AttributeDefinition() {
            public String getName() { return ad.getName(); }
            public String getID() { return ad.getID(); }
            public String getDescription() { return null; }
            public int getCardinality() { return ad.getCardinality(); }
            public int getType() { return ad.getType(); }
            public String[] getOptionValues() { return ad.getOptionValues(); }
            public String[] getOptionLabels() { return ad.getOptionLabels(); }
            public String validate(String value) { return ad.validate(value); }
            public String[] getDefaultValue() { return null; }
        };
    }

    public static ObjectClassDefinition ocd(AttributeDefinition... ads) {
        return new ObjectClassDefinition() {
            public String getName() { return "test"; }
            public String getID() { return "test"; }
            public String getDescription() { return null; }
            public AttributeDefinition[] getAttributeDefinitions(int filter) { return ads; }
            public InputStream getIcon(int size) { return null; }
        };
    }

    static final ObjectClassDefinition VM = ocd(
            ad("backend", "String", 0, null, null, "auto", "kvm", "soft"),
            ad("memoryMiB", "Integer", 0, "4", "3072"),
            ad("workloadBlocks", "Long", 0, "1", null),
            ad("exposeRdrand", "Boolean", 0, null, null),
            ad("verifiers", "String", Integer.MAX_VALUE, null, null),
            ad("windowTimeoutMillis", "Long", 0, "1", "86400000"),
            ad("pollMillis", "Long", 0, "20", null));

    static Dictionary<String, Object> dict(Object... kv) {
        Dictionary<String, Object> d = new Hashtable<>();
        for (int i = 0; i < kv.length; i += 2) d.put((String) kv[i], kv[i + 1]);
        return d;
    }

    @Test
    void valuesThatFitPass() {
        assertEquals(List.of(), ConfigValidator.check(VM, dict("backend", "kvm", "memoryMiB", "64", "workloadBlocks", 16L,
                "exposeRdrand", "true", "verifiers", new String[] {"soft", "kvm"}, "windowTimeoutMillis", " 60000 ",
                "pollMillis", 200L, "service.pid", "pcm.vm", "unknown", "anything")));
        assertEquals(List.of(), ConfigValidator.check(VM, dict("memoryMiB", 3072, "verifiers", List.of("soft"))));
    }

    @Test
    void theFoundDefectsAreRejectedWithKeyAndValue() {
        for (Object[] bad : new Object[][] {
                {"memoryMiB", "abc"}, {"memoryMiB", "1048576"}, {"memoryMiB", 1048576}, {"memoryMiB", 1L << 40}, {"memoryMiB", "2"},
                {"windowTimeoutMillis", "abc"}, {"windowTimeoutMillis", "0"}, {"pollMillis", 0L}, {"workloadBlocks", "-5"},
                {"backend", "vmware"}, {"memoryMiB", ""}, {"memoryMiB", new int[] {64, 128}}}) {
            List<ConfigValidator.Problem> p = ConfigValidator.check(VM, dict(bad[0], bad[1]));
            assertEquals(1, p.size(), bad[0] + "=" + ConfigValidator.show(bad[1]) + " must be rejected");
            assertEquals(bad[0], p.getFirst().key());
            assertTrue(p.getFirst().toString().startsWith(bad[0] + "=" + ConfigValidator.show(bad[1]) + " ("), p.getFirst().toString());
        }
        String why = ConfigValidator.check(VM, dict("backend", "vmware")).getFirst().reason();
        assertTrue(why.contains("auto, kvm, soft"), why);
    }

    @Test
    void aValueOutOfRangeIsToldTheRange() {
        ConfigValidator.Problem p = ConfigValidator.check(VM, dict("memoryMiB", "1048576"), id -> id.equals("memoryMiB") ? "4..3072" : null).getFirst();
        assertTrue(p.reason().endsWith("; allowed 4..3072"), p.reason());
        ConfigValidator.Problem t = ConfigValidator.check(VM, dict("memoryMiB", "abc"), id -> "4..3072").getFirst();
        assertTrue(t.reason().endsWith("; expected an integer"), t.reason());
    }

    @Test
    void elementsWithCommasAreOneValue() {
        assertNull(ConfigValidator.check(ad("strategies", "String", -10, null, null), List.of("soft=checkpoint,x")));
        assertNotNull(ConfigValidator.check(ad("ids", "String", 2, null, null), new String[] {"a", "b", "c"}));
    }

    @Test
    void aRejectedConfigurationKeepsTheLastGoodValuesOfTheDefinedAttributes() {
        Dictionary<String, Object> now = dict("memoryMiB", "abc", "backend", "kvm", "pcm.config.generation", "7",
                "felix.fileinstall.filename", "file:/data/conf/pcm.vm.cfg");
        ValidatingPlugin.restore(now, dict("memoryMiB", 128, "backend", "soft"), Set.of("memoryMiB", "backend", "timerHz"));
        assertEquals(128, now.get("memoryMiB"));
        assertEquals("soft", now.get("backend"));
        assertNull(now.get("timerHz"));
        assertEquals("7", now.get("pcm.config.generation"), "what the metatype does not define passes");
        Dictionary<String, Object> first = dict("memoryMiB", "abc", "backend", "kvm");
        ValidatingPlugin.restore(first, null, Set.of("memoryMiB", "backend"));
        assertTrue(first.isEmpty(), "no good configuration yet: the defaults");
    }
}
