package pcm.ui.internal.commands;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.apache.felix.gogo.runtime.Reflective;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Function;

/**
 * A {@code pcm:*} command: its public methods named after the function are its signatures, as for any Gogo command, but
 * arguments that fit none of them get the command's usage and exit status USAGE instead of Gogo's
 * {@code Cannot coerce vm(String, String) to any of [(String), (String, int)]}.
 * <p>
 * How: Gogo hands the arguments of a command whose service is a {@link Function} to {@link #execute} as they are; this
 * picks the method with Gogo's own {@link Reflective#invoke} (the same choice Gogo makes for any other command) and turns
 * only its "no signature fits" into a {@link CommandFailure#usage}. A catch-all overload does not work: Gogo picks the
 * signature of lowest coercion cost, and a catch-all sometimes costs less than the one that fits
 * ({@code pcm:run --blocks 5}). {@code help} still reads the methods and their {@code @Descriptor}s. One function per
 * component (Gogo does not tell a Function which of its names was called).
 */
public abstract class PcmCommand implements Function {

    /** Gogo's message when the arguments fit no signature. */
    static final String NO_SIGNATURE_FITS = "Cannot coerce ";

    /** The function name (osgi.command.function). */
    protected abstract String function();

    /** The usage text, starting with {@code usage: pcm:<function>}. */
    protected abstract String usage();

    @Override
    public Object execute(CommandSession session, List<Object> arguments) throws Exception {
        try {
            return Reflective.invoke(session, this, function(), new ArrayList<>(arguments));
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(NO_SIGNATURE_FITS))
                throw wrongArguments(usage(), arguments);
            throw e;
        }
    }

    /** A USAGE failure naming the arguments given (or that there were none) and the usage text. */
    static CommandFailure wrongArguments(String usage, List<Object> arguments) {
        if (arguments.isEmpty()) return CommandFailure.usage("missing arguments. " + usage);
        String given = arguments.stream().map(String::valueOf).collect(Collectors.joining(" "));
        return CommandFailure.usage("wrong arguments '" + given + "'. " + usage);
    }
}
