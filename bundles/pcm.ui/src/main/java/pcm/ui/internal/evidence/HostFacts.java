package pcm.ui.internal.evidence;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import pcm.core.api.cpu.CpuIdentity;
import pcm.core.api.verify.RecordingCpu;

/**
 * What a vendor needs to know of the PCM that recorded a window, as flat keys: the window's recording CPU
 * ({@code recording.*}: backend, vendor, signature decoded, undefined-flag model), this host's CPU ({@code cpu.*}),
 * kernel, JVM, PCM's bundle versions ({@code bundle.<symbolic name>}), the VM backend and the configured verifiers.
 */
public final class HostFacts {

    private HostFacts() {}

    /** CPU facts under {@code prefix}: vendor, signature, family/model/stepping decoded, undefined-flag model. */
    static void cpu(Map<String, String> out, String prefix, CpuIdentity c) {
        out.put(prefix + "vendor", c.vendor());
        out.put(prefix + "signature", "0x" + Integer.toHexString(c.signature()));
        out.put(prefix + "family", Integer.toString(family(c.signature())));
        out.put(prefix + "model", Integer.toString(model(c.signature())));
        out.put(prefix + "stepping", Integer.toString(c.signature() & 0xF));
        out.put(prefix + "undefinedFlags", c.undefinedFlags());
    }

    /** Display family of a CPUID.1:EAX signature (base family, plus the extended family when base is 0xF). */
    static int family(int signature) {
        int base = (signature >> 8) & 0xF;
        return base == 0xF ? base + ((signature >> 20) & 0xFF) : base;
    }

    /** Display model: the extended model counts for families 6 and 0xF. */
    static int model(int signature) {
        int base = (signature >> 8) & 0xF;
        int model = (signature >> 4) & 0xF;
        return base == 6 || base == 0xF ? model | ((signature >> 16) & 0xF) << 4 : model;
    }

    /**
     * @param recording the window's recording CPU, null if the window could not be loaded
     * @param backend   the VM's backend now ({@code Vm.backendDescription}), null if there is no VM service
     * @param bundles   PCM's bundles: symbolic name to version
     */
    public static Map<String, String> collect(RecordingCpu recording, String backend, List<String> verifiers, Map<String, String> bundles) {
        Map<String, String> out = new LinkedHashMap<>();
        if (recording != null) {
            out.put("recording.backend", recording.backend());
            cpu(out, "recording.cpu.", recording.identity());
        }
        CpuIdentity host = CpuIdentity.host();
        cpu(out, "cpu.", host);
        out.put("cpu.modelName", cpuinfo("model name"));
        out.put("kernel", firstLine(Path.of("/proc/sys/kernel/osrelease"), System.getProperty("os.version")));
        out.put("kernel.version", firstLine(Path.of("/proc/sys/kernel/version"), ""));
        out.put("os.name", System.getProperty("os.name"));
        out.put("os.arch", System.getProperty("os.arch"));
        out.put("jvm.vendor", System.getProperty("java.vm.vendor"));
        out.put("jvm.name", System.getProperty("java.vm.name"));
        out.put("jvm.version", System.getProperty("java.runtime.version", System.getProperty("java.version")));
        out.put("backend", backend == null ? "" : backend);
        out.put("verifiers", String.join(",", verifiers));
        bundles.forEach((name, version) -> out.put("bundle." + name, version));
        return out;
    }

    private static String cpuinfo(String key) {
        try {
            for (String l : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (l.isBlank()) break;
                int colon = l.indexOf(':');
                if (colon > 0 && l.substring(0, colon).trim().equals(key)) return l.substring(colon + 1).trim();
            }
        } catch (IOException | RuntimeException e) {
            // not Linux, or hidden: unknown
        }
        return "";
    }

    private static String firstLine(Path p, String otherwise) {
        try {
            List<String> l = Files.readAllLines(p);
            return l.isEmpty() ? otherwise : l.getFirst().strip();
        } catch (IOException | RuntimeException e) {
            return otherwise == null ? "" : otherwise;
        }
    }
}
