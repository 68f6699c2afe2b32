package pcm.config.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Dictionary;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import pcm.config.internal.customer.ConfiguratorResource;
import pcm.config.internal.customer.ConfiguratorResources;
import pcm.config.internal.customer.CustomerResources;
import pcm.config.internal.customer.ResourceReader;

/**
 * Issue 17 item 1: a customer's configuration as OSGi Configurator JSON is checked against metatype as a whole file —
 * one bad value and none of its configurations reaches a component, with the file, PID and key named.
 */
class CustomerResourcesTest {

    static final String NAMED = "\":configurator:symbolic-name\": \"acme.customer\", \":configurator:version\": \"1.0.0\", ";

    /** A data-directory file: it names itself, as the Configurator requires of files outside bundles. */
    static ConfiguratorResource json(String source, String json) {
        return ResourceReader.read(source, new StringReader(json.replaceFirst("\\{", "{" + NAMED)), false);
    }

    /** As Config Admin hands it over: the file's values with the PID, no FileInstall file name. */
    static Dictionary<String, Object> delivered(String pid, Object... kv) {
        Dictionary<String, Object> d = ConfigValidatorTest.dict(kv);
        d.put("service.pid", pid);
        return d;
    }

    @Test
    void readsTypedValuesWithCommentsAsTheConfiguratorDoes() {
        ConfiguratorResource r = json("/data/customer/acme.json", """
                { // comments are allowed
                  ":configurator:resource-version": 1,
                  "pcm.vm": { "memoryMiB:Integer": 256, "backend": "soft" },
                  "pcm.tracer~acme": { "enabled:Boolean": true }
                }""");
        assertNull(r.error());
        assertEquals(256, r.configurations().get("pcm.vm").get("memoryMiB"));
        assertEquals(Boolean.TRUE, r.configurations().get("pcm.tracer~acme").get("enabled"), "factory configurations as factoryPid~name");
        assertTrue(r.configures("pcm.vm", delivered("pcm.vm", "memoryMiB", 256, "backend", "soft", "other", "x")));
        assertTrue(!r.configures("pcm.vm", delivered("pcm.vm", "memoryMiB", 512, "backend", "soft")), "changed since: not from here");
    }

    @Test
    void aGoodFilePasses() {
        ConfiguratorResource r = json("/data/customer/acme.json", "{\"pcm.vm\": {\"memoryMiB:Integer\": 256}}");
        ValidatingPlugin p = ValidatingPluginTest.plugin(() -> List.of(r));
        assertEquals(List.of(), p.problems(r));
        Dictionary<String, Object> d = delivered("pcm.vm", "memoryMiB", 256);
        p.modifyConfiguration(null, d);
        assertEquals(256, d.get("memoryMiB"));
    }

    @Test
    void oneBadValueRefusesTheWholeFileNamingFileAndKey() {
        ConfiguratorResource r = json("/data/customer/bad.json", """
                { "pcm.vm": { "memoryMiB:Integer": 1048576, "backend": "soft" },
                  "org.example.other": { "colour": "blue" } }""");
        ValidatingPlugin p = ValidatingPluginTest.plugin(() -> List.of(r));
        List<String> wrong = p.problems(r);
        assertEquals(1, wrong.size(), wrong.toString());
        assertTrue(wrong.getFirst().startsWith("pcm.vm: memoryMiB=1048576 ("), wrong.toString());

        Dictionary<String, Object> vm = delivered("pcm.vm", "memoryMiB", 1048576, "backend", "soft");
        p.modifyConfiguration(null, vm);
        assertNull(vm.get("memoryMiB"), "the bad value does not reach the component: its default");
        assertNull(vm.get("backend"), "nor does the good value beside it");

        Dictionary<String, Object> other = delivered("org.example.other", "colour", "blue");
        p.modifyConfiguration(null, other);
        assertNull(other.get("colour"), "nor a PID of the same file without metatype: the file is refused whole");
    }

    @Test
    void theSameValuesFromConfDirectoryAreNotTheCustomerFiles() {
        ConfiguratorResource r = json("/data/customer/bad.json", "{\"pcm.vm\": {\"memoryMiB:Integer\": 1048576, \"backend\": \"soft\"}}");
        ValidatingPlugin p = ValidatingPluginTest.plugin(() -> List.of(r));
        Dictionary<String, Object> vm = ValidatingPluginTest.vm("memoryMiB", "256", "backend", "soft");
        p.modifyConfiguration(null, vm);
        assertEquals("256", vm.get("memoryMiB"), "a conf/ file (FileInstall's name on it) is checked on its own");
    }

    @Test
    void aFileThatIsNotJsonIsReportedWithWhereItBreaks() {
        ConfiguratorResource r = json("/data/customer/broken.json", "{\"pcm.vm\": {\"memoryMiB\": 256,,}}");
        assertNotNull(r.error());
        assertTrue(r.error().startsWith("not a valid configuration resource"), r.error());
        assertEquals(List.of(r.error()), ValidatingPluginTest.plugin(() -> List.of(r)).problems(r));
    }

    @Test
    void aFileOutsideABundleMustNameItself() {
        ConfiguratorResource r = ResourceReader.read("/data/customer/anon.json", new StringReader("{\"pcm.vm\": {}}"), false);
        assertTrue(r.error().contains("Missing version information"), r.error());
        assertNull(ResourceReader.read("bundle x OSGI-INF/configurator/a.json", new StringReader("{\"pcm.vm\": {}}"), true).error());
    }

    @Test
    void initialResourcesAreTheDataDirectoryFilesByPath(@TempDir Path dir) throws Exception {
        Path a = Files.writeString(dir.resolve("a b.json"), "{" + NAMED + "\"pcm.vm\": {\"backend\": \"kvm\"}}");
        Path missing = dir.resolve("missing.json");
        List<ConfiguratorResource> rs = ConfiguratorResources.readInitial(a.toUri() + "," + missing.toUri());
        assertEquals(a.toString(), rs.get(0).source(), "shown as the file's path, not its URL");
        assertEquals("kvm", rs.get(0).configurations().get("pcm.vm").get("backend"));
        assertEquals(missing.toString(), rs.get(1).source());
        assertTrue(rs.get(1).error().startsWith("cannot be read"), rs.get(1).error());
        CustomerResources none = CustomerResources.NONE;
        assertNull(none.sourceOf("pcm.vm", delivered("pcm.vm", "backend", "kvm")));
    }
}
