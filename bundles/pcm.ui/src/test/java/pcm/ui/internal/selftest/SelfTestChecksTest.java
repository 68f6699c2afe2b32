package pcm.ui.internal.selftest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import pcm.core.api.cpu.HostInfo;
import pcm.core.api.verify.Divergence;
import pcm.core.api.verify.Outcome;
import pcm.core.api.verify.Verdict;
import pcm.ui.api.selftest.SelfTestReport;
import pcm.ui.api.selftest.SelfTestReport.Check;

class SelfTestChecksTest {

    private static Verdict faulty(long at, long injected) {
        return new Verdict(Outcome.DIVERGED, "selftest-fault", "w1", 2000, Optional.of(new Divergence(at, 0x100253, List.of("r15"))),
                "registers differ; injected: r15 ^= 0x10000000000 at position " + injected + " (verified by soft)");
    }

    @Test
    void theFaultCheckPassesOnlyWhenDivergedAtTheInjectedPosition() {
        Check exact = SelfTestChecks.fault(faulty(500, 500));
        assertTrue(exact.passed(), exact.detail());
        assertTrue(exact.detail().contains("position 500"), exact.detail());

        Check elsewhere = SelfTestChecks.fault(faulty(501, 500));
        assertFalse(elsewhere.passed());
        assertTrue(elsewhere.detail().contains("injected at 500"), elsewhere.detail());

        Check missed = SelfTestChecks.fault(new Verdict(Outcome.MATCH, "selftest-fault", "w1", 2000, Optional.empty(),
                "injected: r15 ^= 0x1 at position 500 (verified by soft)"));
        assertFalse(missed.passed());
        assertTrue(missed.detail().contains("missed"), missed.detail());

        Check nothing = SelfTestChecks.fault(Verdict.inconclusive("selftest-fault", "w1", -1, "no register checkpoint at position 500"));
        assertFalse(nothing.passed());
    }

    @Test
    void theMatchCheckNamesVerifierWindowAndLength() {
        assertTrue(SelfTestChecks.match(Verdict.match("soft", "w7", 2000)).passed());
        Check d = SelfTestChecks.match(faulty(3, 3));
        assertFalse(d.passed());
    }

    @Test
    void theBackendCheckSaysWhichIsUsableAndWhyTheOthersAreNot() {
        Map<String, HostInfo> both = new LinkedHashMap<>();
        both.put("kvm", new HostInfo(false, HostInfo.Kind.NONE, "KVM backend unavailable", "/dev/kvm does not exist"));
        both.put("soft", new HostInfo(true, HostInfo.Kind.SOFTWARE, "software x86-64 interpreter", null));
        Check c = SelfTestChecks.backend(both, "auto");
        assertTrue(c.passed());
        assertTrue(c.detail().contains("soft usable") && c.detail().contains("kvm not usable (/dev/kvm does not exist)"), c.detail());

        Map<String, HostInfo> none = Map.of("kvm", new HostInfo(false, HostInfo.Kind.NONE, "x", "no /dev/kvm"));
        assertFalse(SelfTestChecks.backend(none, "kvm").passed());
        assertFalse(SelfTestChecks.backend(Map.of(), null).passed());
    }

    @Test
    void theFrameworkCheckNamesWhatIsMissing() {
        assertTrue(SelfTestChecks.framework(true, List.of(), 7).passed());
        Check c = SelfTestChecks.framework(true, List.of("pcm.core.api.vm.Vm"), 7);
        assertFalse(c.passed());
        assertTrue(c.detail().contains("pcm.core.api.vm.Vm"));
        assertFalse(SelfTestChecks.framework(false, List.of(), 7).passed());
    }

    @Test
    void theFaultGoesInsideTheWindow() {
        assertEquals(500, SelfTestChecks.faultPosition(2000));
        assertEquals(50, SelfTestChecks.faultPosition(100));
        assertEquals(1, SelfTestChecks.faultPosition(1));
    }

    @Test
    void aReportIsKeptWithItsTimeStampAndFailsWhenOneCheckFails(@TempDir Path data) throws Exception {
        Instant t = Instant.parse("2026-12-06T19:00:00.123Z");
        SelfTestReport r = new SelfTestReport(t, List.of(new Check("a", true, "ok"), new Check("b", false, "broken")), null);
        assertFalse(r.passed());
        Path f = SelfTestService.write(data, r);
        assertEquals(data.resolve("selftest/selftest-20261206T190000.123Z.json"), f);
        String json = Files.readString(f);
        assertTrue(json.contains("\"started\" : \"2026-12-06T19:00:00.123Z\"") && json.contains("\"passed\" : false")
                && json.contains("broken"), json);
        assertFalse(new SelfTestReport(t, List.of(), null).passed(), "no checks is no pass");
    }
}
