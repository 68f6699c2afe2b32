package pcm.ui.internal.selftest;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import pcm.core.api.cpu.HostInfo;
import pcm.core.api.verify.Outcome;
import pcm.core.api.verify.Verdict;
import pcm.ui.api.selftest.SelfTestReport.Check;

/** How each self-test check judges what it found; no framework needed (SelfTestChecksTest). */
final class SelfTestChecks {

    private SelfTestChecks() { }

    static final String FRAMEWORK = "framework and services";
    static final String BACKEND = "CPU backend";
    static final String WINDOW = "window recorded";
    static final String MATCH = "window verified MATCH";
    static final String FAULT = "injected fault DIVERGED";

    /** The pcm.tracers fault-injection verifier (a factory PID) and the id the self-test gives its instance. */
    static final String FAULT_PID = "pcm.tracers.internal.fault.FaultInjectingVerifier";
    static final String FAULT_RCP = "selftest-fault";
    /** Bit 40 of a register the instruction at the position leaves alone: the fault changes that instruction's register fingerprint. */
    static final long FAULT_MASK = 1L << 40;

    /** Where the injected fault is: the injector says "... at position N" in the verdict's detail. */
    private static final Pattern INJECTED_AT = Pattern.compile("injected: .* at position (\\d+)");

    /** Missing services by name: none passes. */
    static Check framework(boolean frameworkActive, List<String> missing, int services) {
        if (!frameworkActive) return new Check(FRAMEWORK, false, "the framework is not ACTIVE");
        if (!missing.isEmpty()) return new Check(FRAMEWORK, false, "missing: " + String.join(", ", missing));
        return new Check(FRAMEWORK, true, "framework ACTIVE, " + services + " required services present");
    }

    /** Backends by id: passes when one is usable; says which and why the others are not. */
    static Check backend(Map<String, HostInfo> backends, String configured) {
        if (backends.isEmpty()) return new Check(BACKEND, false, "no backend installed (pcm.vmx, pcm.softcpu)");
        List<String> usable = backends.entrySet().stream().filter(e -> e.getValue().available()).map(Map.Entry::getKey).toList();
        String all = backends.entrySet().stream().map(e -> e.getKey() + (e.getValue().available()
                ? " usable (" + e.getValue().kind() + ": " + e.getValue().description() + ")"
                : " not usable (" + (e.getValue().problem() == null ? e.getValue().description() : e.getValue().problem()) + ")"))
                .collect(Collectors.joining("; "));
        if (usable.isEmpty()) return new Check(BACKEND, false, all);
        String which = usable.contains("kvm") ? "kvm" : usable.getFirst();
        return new Check(BACKEND, true, "uses " + (configured == null || configured.isBlank() ? which : configured) + ": " + all);
    }

    static Check match(Verdict v) {
        boolean ok = v.outcome() == Outcome.MATCH;
        return new Check(MATCH, ok, v.outcome() + " by " + v.rcp() + " on " + v.windowId() + ", " + v.instructions()
                + " instructions" + (ok || v.detail().isEmpty() ? "" : ": " + v.detail()));
    }

    /** The fault's position as the injector reports it, if it says. */
    static Optional<Long> injectedPosition(Verdict v) {
        Matcher m = INJECTED_AT.matcher(v.detail());
        return m.find() ? Optional.of(Long.parseLong(m.group(1))) : Optional.empty();
    }

    /** Passes only when DIVERGED at exactly the instruction the fault was injected at. */
    static Check fault(Verdict v) {
        Optional<Long> injected = injectedPosition(v);
        if (v.outcome() != Outcome.DIVERGED)
            return new Check(FAULT, false, "the corrupted window was " + v.outcome() + " (" + v.detail() + "): the checker missed it");
        if (injected.isEmpty() || v.divergence().isEmpty())
            return new Check(FAULT, false, "DIVERGED, but no position to compare: " + v.detail());
        long at = v.divergence().get().position();
        if (at != injected.get())
            return new Check(FAULT, false, "DIVERGED at position " + at + ", but the fault was injected at " + injected.get());
        return new Check(FAULT, true, "DIVERGED at position " + at + " (rip 0x" + Long.toHexString(v.divergence().get().rip())
                + "), exactly where the fault was injected: " + v.detail().substring(v.detail().indexOf("injected: ")));
    }

    /** The position to inject at: well inside the window, never past its end. */
    static long faultPosition(long windowInstructions) {
        return Math.max(1, Math.min(500, windowInstructions / 2));
    }
}
