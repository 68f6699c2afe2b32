package pcm.branding.internal;

import java.util.List;
import java.util.stream.Collectors;

import pcm.branding.api.Branding;

/** A branding configuration refused: each value that does not fit, by its key. */
public final class BrandingConfigException extends Exception {

    private static final long serialVersionUID = 1L;

    /** One refused value: its configuration key, the value as given and why it does not fit. */
    public record Problem(String key, String value, String reason) {
        @Override
        public String toString() {
            return key + " '" + value + "' " + reason;
        }
    }

    private final transient List<Problem> problems;

    public BrandingConfigException(List<Problem> problems) {
        super("configuration " + Branding.PID + " refused: " + problems.stream().map(Problem::toString).collect(Collectors.joining("; ")));
        this.problems = List.copyOf(problems);
    }

    public List<Problem> problems() {
        return problems;
    }

    /** The keys refused, in the order checked. */
    public List<String> keys() {
        return problems.stream().map(Problem::key).toList();
    }
}
