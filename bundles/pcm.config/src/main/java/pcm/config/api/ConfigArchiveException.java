package pcm.config.api;

import java.util.List;
import java.util.stream.Collectors;

/**
 * An export, import, snapshot or restore that was not done; nothing changed. A refused file names itself, then each
 * refused value: {@code /tmp/acme.json: pcm.vm: memoryMiB=1048576 rejected (Memory (MiB): greater than maximum; allowed
 * 4..3072); nothing changed}.
 */
public final class ConfigArchiveException extends Exception {

    private static final long serialVersionUID = 1L;

    public enum Kind {
        /** a value of the file does not fit its metatype, names no attribute, or its PID has no metatype here */
        REFUSED,
        /** the file is not a configuration resource (not JSON, not the Configurator's format) */
        UNREADABLE,
        /** no snapshot of that id or name */
        NO_SUCH_SNAPSHOT,
        /** a snapshot name that is not allowed */
        BAD_NAME,
        /** a file could not be read or written (conf/ rolled back) */
        IO_FAILED
    }

    /** One refused value: the configuration, the key (null: the whole configuration), the value as given, why. */
    public record Problem(String configuration, String key, String value, String reason) {
        @Override
        public String toString() {
            return configuration + ": " + (key == null ? "" : key + "=" + value + " ") + "rejected (" + reason + ")";
        }
    }

    private final Kind kind;
    private final String source;
    private final transient List<Problem> problems;

    public ConfigArchiveException(Kind kind, String source, List<Problem> problems, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.source = source;
        this.problems = List.copyOf(problems);
    }

    public ConfigArchiveException(Kind kind, String source, String message, Throwable cause) {
        this(kind, source, List.of(), message, cause);
    }

    public static ConfigArchiveException refused(String source, List<Problem> problems) {
        return new ConfigArchiveException(Kind.REFUSED, source, problems, source + ": "
                + problems.stream().map(Problem::toString).collect(Collectors.joining("; ")) + "; nothing changed", null);
    }

    public Kind kind() {
        return kind;
    }

    /** The file (or snapshot) concerned. */
    public String source() {
        return source;
    }

    /** The refused values (REFUSED); empty for the other kinds. */
    public List<Problem> problems() {
        return problems;
    }
}
