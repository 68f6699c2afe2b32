package pcm.core.api.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;

import org.junit.jupiter.api.Test;

/** Which undefined-flag model a host's /proc/cpuinfo names: by vendor, except QEMU's TCG, whatever vendor it shows. */
class CpuIdentityTest {

    private static List<String> cpuinfo(String vendor, String modelName, int family, int model, int stepping) {
        return List.of("processor\t: 0", "vendor_id\t: " + vendor, "cpu family\t: " + family, "model\t\t: " + model,
                "model name\t: " + modelName, "stepping\t: " + stepping, "", "processor\t: 1", "vendor_id\t: GenuineIntel");
    }

    @Test
    void hardwareVendorsGetTheirModel() {
        CpuIdentity amd = CpuIdentity.fromCpuinfo(cpuinfo("AuthenticAMD", "AMD EPYC 9654 96-Core Processor", 25, 17, 1));
        assertEquals(new CpuIdentity("AuthenticAMD", 0xa10f11, CpuIdentity.AMD_FLAGS), amd);
        CpuIdentity intel = CpuIdentity.fromCpuinfo(cpuinfo("GenuineIntel", "Intel(R) Xeon(R) Platinum 8480+", 6, 143, 8));
        assertEquals(new CpuIdentity("GenuineIntel", 0x806f8, CpuIdentity.INTEL_FLAGS), intel);
    }

    /** The emulated SVM host's CPU (QEMU -cpu max under TCG) says AuthenticAMD but computes TCG's flags. */
    @Test
    void qemusTcgCpuIsRecognisedByItsModelName() {
        CpuIdentity tcg = CpuIdentity.fromCpuinfo(cpuinfo("AuthenticAMD", "QEMU TCG CPU version 2.5+", 15, 107, 1));
        assertEquals(CpuIdentity.TCG_FLAGS, tcg.undefinedFlags());
        assertEquals("AuthenticAMD", tcg.vendor());
    }

    @Test
    void anUnknownVendorHasNoModel() {
        assertEquals("", CpuIdentity.fromCpuinfo(cpuinfo("CentaurHauls", "VIA Nano", 6, 15, 2)).undefinedFlags());
        assertEquals(CpuIdentity.UNKNOWN, CpuIdentity.fromCpuinfo(List.of()));
    }
}
