package pcm.config.api;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A change that was not made (nothing written): which PID, what kind of failure, and for refused values each key, its
 * value and why. The message reads {@code pcm.verification: workers=99 rejected (Worker threads: greater than maximum;
 * allowed 1..64); nothing changed}.
 */
public final class SettingsException extends Exception {

    private static final long serialVersionUID = 1L;

    public enum Kind {
        /** no PID with metatype of that name */
        UNKNOWN_PID,
        /** a value does not fit its attribute, or names no attribute */
        REFUSED,
        /** the file in conf/ could not be read or written */
        WRITE_FAILED
    }

    /** One refused value: the attribute (or the unknown key), the value as given, why. */
    public record Problem(String key, String value, String name, String reason) {
        @Override
        public String toString() {
            return key + "=" + value + " rejected (" + (name == null ? "" : name + ": ") + reason + ")";
        }
    }

    private final Kind kind;
    private final String pid;
    private final transient List<Problem> problems;

    public SettingsException(Kind kind, String pid, List<Problem> problems, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.pid = pid;
        this.problems = List.copyOf(problems);
    }

    public static SettingsException refused(String pid, List<Problem> problems) {
        return new SettingsException(Kind.REFUSED, pid, problems, pid + ": "
                + problems.stream().map(Problem::toString).collect(Collectors.joining("; ")) + "; nothing changed", null);
    }

    public Kind kind() {
        return kind;
    }

    public String pid() {
        return pid;
    }

    /** The refused values (REFUSED); empty for the other kinds. */
    public List<Problem> problems() {
        return problems;
    }
}
