package pcm.core.internal.log;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The host CPU's CPUID vendor string and leaf-1 EAX signature, derived from /proc/cpuinfo: the
 * fallback for the log header when the window-start marker does not name the recording CPU.
 */
public record HostCpu(String vendor, int signature) {

    public static final HostCpu UNKNOWN = new HostCpu("", 0);
    private static volatile HostCpu cached;

    public static HostCpu get() {
        HostCpu c = cached;
        if (c == null) {
            try {
                c = parse(Files.readAllLines(Path.of("/proc/cpuinfo")));
            } catch (IOException | RuntimeException e) {
                c = UNKNOWN;
            }
            cached = c;
        }
        return c;
    }

    static HostCpu parse(List<String> lines) {
        String vendor = "";
        int family = -1, model = -1, stepping = -1;
        for (String l : lines) {
            if (l.isBlank()) break; // first processor only
            int colon = l.indexOf(':');
            if (colon < 0) continue;
            String k = l.substring(0, colon).trim(), v = l.substring(colon + 1).trim();
            try {
                switch (k) {
                    case "vendor_id" -> vendor = v;
                    case "cpu family" -> family = Integer.parseInt(v);
                    case "model" -> model = Integer.parseInt(v);
                    case "stepping" -> stepping = Integer.parseInt(v);
                    default -> { }
                }
            } catch (NumberFormatException ignored) {
                // leave unknown
            }
        }
        if (family < 0 || model < 0 || stepping < 0) return new HostCpu(vendor, 0);
        return new HostCpu(vendor, signature(family, model, stepping));
    }

    /** CPUID.1:EAX from display family/model/stepping. */
    static int signature(int family, int model, int stepping) {
        int baseFamily = Math.min(family, 0xF), extFamily = family >= 0xF ? family - 0xF : 0;
        int baseModel = model & 0xF, extModel = (family == 6 || family >= 0xF) ? (model >> 4) & 0xF : 0;
        return (stepping & 0xF) | baseModel << 4 | baseFamily << 8 | extModel << 16 | (extFamily & 0xFF) << 20;
    }
}
