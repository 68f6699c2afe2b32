package pcm.core.internal.log;

import java.util.List;

import pcm.core.api.cpu.CpuIdentity;

/**
 * The host CPU's CPUID vendor string and leaf-1 EAX signature ({@link CpuIdentity#host()}): the fallback
 * for the log header when the window-start marker does not name the recording CPU (older recorders).
 */
public record HostCpu(String vendor, int signature) {

    public static final HostCpu UNKNOWN = new HostCpu("", 0);

    public static HostCpu get() {
        CpuIdentity c = CpuIdentity.host();
        return new HostCpu(c.vendor(), c.signature());
    }

    static HostCpu parse(List<String> lines) {
        CpuIdentity c = CpuIdentity.fromCpuinfo(lines);
        return new HostCpu(c.vendor(), c.signature());
    }

    /** CPUID.1:EAX from display family/model/stepping. */
    static int signature(int family, int model, int stepping) {
        return CpuIdentity.signature(family, model, stepping);
    }
}
