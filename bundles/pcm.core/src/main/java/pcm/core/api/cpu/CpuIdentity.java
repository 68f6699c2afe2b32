package pcm.core.api.cpu;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Who executes the guest's instructions: the CPUID vendor and signature, and the model of the flags the
 * architecture leaves undefined (after MUL, shifts by more than one, BSF of zero, ...). A replay reproduces
 * those flags only with the recording CPU's model, so every window carries it to every verifier.
 *
 * @param vendor         CPUID leaf 0 vendor string ("GenuineIntel", "AuthenticAMD", ...; "" if unknown)
 * @param signature      CPUID leaf 1 EAX (family/model/stepping; 0 if unknown)
 * @param undefinedFlags the undefined-flag model: {@link #INTEL_FLAGS}, {@link #AMD_FLAGS}, or another
 *                       name a vendor's verifier knows; "" if unknown
 */
public record CpuIdentity(String vendor, int signature, String undefinedFlags) {

    /** The model of Intel CPUs (P6 and later), measured on a Xeon (pcm.softcpu README). */
    public static final String INTEL_FLAGS = "intel";
    /** The model of AMD and Hygon CPUs. */
    public static final String AMD_FLAGS = "amd";
    /**
     * The model of QEMU's software emulator (TCG), whatever vendor string it shows: the CPU of the emulated SVM host
     * (bin/svm-host), where KVM's guests execute on TCG. Its undefined flags are neither Intel's nor AMD's.
     */
    public static final String TCG_FLAGS = "tcg";

    /** The /proc/cpuinfo model name QEMU gives its TCG CPU models ("max", "qemu64": "QEMU TCG CPU version 2.5+"). */
    static final String TCG_MODEL_NAME = "QEMU TCG CPU";

    public static final CpuIdentity UNKNOWN = new CpuIdentity("", 0, "");

    private static volatile CpuIdentity host;

    public CpuIdentity {
        vendor = Objects.requireNonNullElse(vendor, "");
        undefinedFlags = Objects.requireNonNullElse(undefinedFlags, "");
    }

    /** The undefined-flag model of a CPUID vendor string: "" for a vendor whose model PCM does not know. */
    public static String flagsOfVendor(String vendor) {
        if (vendor == null) return "";
        return switch (vendor) {
            case "GenuineIntel" -> INTEL_FLAGS;
            case "AuthenticAMD", "HygonGenuine" -> AMD_FLAGS;
            default -> "";
        };
    }

    /** An identity whose flag model follows its vendor. */
    public static CpuIdentity ofVendor(String vendor, int signature) {
        return new CpuIdentity(vendor, signature, flagsOfVendor(vendor));
    }

    /** This host's CPU, from /proc/cpuinfo ({@link #UNKNOWN} if unreadable); read once. */
    public static CpuIdentity host() {
        CpuIdentity c = host;
        if (c == null) {
            try {
                c = fromCpuinfo(Files.readAllLines(Path.of("/proc/cpuinfo")));
            } catch (IOException | RuntimeException e) {
                c = UNKNOWN;
            }
            host = c;
        }
        return c;
    }

    /** The first processor of a /proc/cpuinfo listing. */
    public static CpuIdentity fromCpuinfo(List<String> lines) {
        String vendor = "", modelName = "";
        int family = -1, model = -1, stepping = -1;
        for (String l : lines) {
            if (l.isBlank()) break; // first processor only
            int colon = l.indexOf(':');
            if (colon < 0) continue;
            String k = l.substring(0, colon).trim(), v = l.substring(colon + 1).trim();
            try {
                switch (k) {
                    case "vendor_id" -> vendor = v;
                    case "model name" -> modelName = v;
                    case "cpu family" -> family = Integer.parseInt(v);
                    case "model" -> model = Integer.parseInt(v);
                    case "stepping" -> stepping = Integer.parseInt(v);
                    default -> { }
                }
            } catch (NumberFormatException ignored) {
                // leave unknown
            }
        }
        int sig = family < 0 || model < 0 || stepping < 0 ? 0 : signature(family, model, stepping);
        // a TCG CPU shows a real vendor string; its model name is the one place Linux shows what it is (QEMU's hypervisor
        // leaf 0x40000000 "TCGTCGTCGTCG" is not in /proc/cpuinfo). A TCG CPU given another model name is not recognised.
        if (modelName.startsWith(TCG_MODEL_NAME)) return new CpuIdentity(vendor, sig, TCG_FLAGS);
        return ofVendor(vendor, sig);
    }

    /** CPUID.1:EAX from display family/model/stepping. */
    public static int signature(int family, int model, int stepping) {
        int baseFamily = Math.min(family, 0xF), extFamily = family >= 0xF ? family - 0xF : 0;
        int baseModel = model & 0xF, extModel = (family == 6 || family >= 0xF) ? (model >> 4) & 0xF : 0;
        return (stepping & 0xF) | baseModel << 4 | baseFamily << 8 | extModel << 16 | (extFamily & 0xFF) << 20;
    }
}
