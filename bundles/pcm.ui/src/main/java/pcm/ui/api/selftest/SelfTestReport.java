package pcm.ui.api.selftest;

import java.time.Instant;
import java.util.List;

/**
 * One self-test run.
 *
 * @param started when it started (UTC)
 * @param checks  each check in the order run
 * @param stored  where the report was kept (a JSON file under {@code <data>/selftest/}), or null if it could not be
 */
public record SelfTestReport(Instant started, List<Check> checks, String stored) {

    public SelfTestReport {
        checks = List.copyOf(checks);
    }

    /** One check: its name, whether it passed, and what it found (which backend and why, which window, where). */
    public record Check(String name, boolean passed, String detail) { }

    /** Whether every check passed. */
    public boolean passed() {
        return !checks.isEmpty() && checks.stream().allMatch(Check::passed);
    }
}
