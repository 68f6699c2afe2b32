package pcm.core.api.verify;

import java.util.Objects;

import pcm.core.api.cpu.CpuIdentity;

/**
 * The CPU that recorded a window, as every verifier needs it: a replay reproduces the architecturally
 * undefined flags only with the recording CPU's model ({@link CpuIdentity#undefinedFlags()}), and a verifier
 * that does not have that model says so (INCONCLUSIVE), never DIVERGED.
 *
 * @param backend  the backend that recorded it ("kvm", "soft", ...)
 * @param identity vendor, signature and undefined-flag model of the executing CPU
 */
public record RecordingCpu(String backend, CpuIdentity identity) {

    public RecordingCpu {
        backend = Objects.requireNonNullElse(backend, "");
        identity = Objects.requireNonNullElse(identity, CpuIdentity.UNKNOWN);
    }

    /** The undefined-flag model ("" if the recording did not say and its vendor has no known model). */
    public String undefinedFlags() { return identity.undefinedFlags(); }

    /** One line for verdicts: "soft on GenuineIntel 0x806f8, undefined flags: intel". */
    public String describe() {
        return String.format("%s on %s 0x%x, undefined flags: %s", backend.isEmpty() ? "?" : backend,
                identity.vendor().isEmpty() ? "unknown vendor" : identity.vendor(), identity.signature(),
                identity.undefinedFlags().isEmpty() ? "unknown" : identity.undefinedFlags());
    }
}
