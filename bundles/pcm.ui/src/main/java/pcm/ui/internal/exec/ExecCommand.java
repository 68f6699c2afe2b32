package pcm.ui.internal.exec;

/**
 * A Gogo command line given to the launcher ({@code bin/pcm exec '<command>'}), and the command
 * service that has to be registered before it can run.
 *
 * @param line     the full command line, passed to Gogo as is
 * @param scope    the command scope ("pcm" for {@code pcm:status}), null if the line did not name one
 * @param function the command function ("status"), null if the line does not start with a plain name
 */
public record ExecCommand(String line, String scope, String function) {

    public static ExecCommand parse(String line) {
        if (line == null || line.isBlank()) throw new IllegalArgumentException("empty command line");
        String first = line.strip().split("\\s+", 2)[0];
        if (!first.matches("[A-Za-z0-9_.\\-]+(:[A-Za-z0-9_.\\-]+)?")) return new ExecCommand(line, null, null);
        int colon = first.indexOf(':');
        if (colon < 0) return new ExecCommand(line, null, first);
        return new ExecCommand(line, first.substring(0, colon), first.substring(colon + 1));
    }

    /** The name as the user wrote it, e.g. "pcm:status". */
    public String name() {
        if (function == null) return line.strip().split("\\s+", 2)[0];
        return scope == null ? function : scope + ":" + function;
    }

    /** LDAP filter matching the command's service (Gogo whiteboard properties), or null if unknown. */
    public String serviceFilter() {
        if (function == null) return null;
        String f = "(osgi.command.function=" + function + ")";
        return scope == null ? f : "(&(osgi.command.scope=" + scope + ")" + f + ")";
    }
}
