package pcm.vmx.internal.replay;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import pcm.core.api.cpu.CpuIdentity;
import pcm.core.api.verify.RecordingCpu;

/**
 * Issue 11 item 1: the kvm verifier replays on the host's CPU, so a window recorded under another
 * undefined-flag model (a soft-recorded AMD-model window on an Intel host, say) is INCONCLUSIVE with that
 * reason, never DIVERGED.
 */
class FlagModelTest {

    static final CpuIdentity INTEL = CpuIdentity.ofVendor("GenuineIntel", 0x806F8);
    static final CpuIdentity AMD = CpuIdentity.ofVendor("AuthenticAMD", 0xA20F10);

    @Test
    void sameModelReplays() {
        assertNull(KvmReplayVerifier.flagModelMismatch(new RecordingCpu("soft", INTEL), INTEL));
        assertNull(KvmReplayVerifier.flagModelMismatch(new RecordingCpu("kvm", CpuIdentity.ofVendor("HygonGenuine", 0)), AMD));
    }

    @Test
    void otherOrUnknownModelIsRefusedWithTheReason() {
        String why = KvmReplayVerifier.flagModelMismatch(new RecordingCpu("soft", AMD), INTEL);
        assertTrue(why.contains("'amd'") && why.contains("GenuineIntel") && why.contains("'intel'"), why);
        why = KvmReplayVerifier.flagModelMismatch(new RecordingCpu("kvm", CpuIdentity.ofVendor("CentaurHauls", 0)), INTEL);
        assertTrue(why.contains("unknown"), why);
        why = KvmReplayVerifier.flagModelMismatch(new RecordingCpu("kvm", INTEL), CpuIdentity.UNKNOWN);
        assertTrue(why.contains("unknown model"), why);
    }
}
