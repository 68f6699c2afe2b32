package pcm.redfish.internal.resources;

import java.util.Collection;

import pcm.core.api.verify.Outcome;
import pcm.core.api.verify.Verdict;

/**
 * What the CPU check says about the processors, as Redfish health: Critical when a verifier found a window DIVERGED,
 * Warning when one was INCONCLUSIVE (not all checked), OK otherwise. Severity of a single verdict likewise.
 */
public final class Health {

    public static final String OK = "OK";
    public static final String WARNING = "Warning";
    public static final String CRITICAL = "Critical";

    private Health() {}

    public static String of(Verdict v) {
        return switch (v.outcome()) {
            case MATCH -> OK;
            case INCONCLUSIVE -> WARNING;
            case DIVERGED -> CRITICAL;
        };
    }

    public static String of(Collection<Verdict> verdicts) {
        boolean warning = false;
        for (Verdict v : verdicts) {
            if (v.outcome() == Outcome.DIVERGED) return CRITICAL;
            if (v.outcome() == Outcome.INCONCLUSIVE) warning = true;
        }
        return warning ? WARNING : OK;
    }
}
