package pcm.ui.internal.remote;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;

import pcm.ui.internal.exec.ExecCommand;
import pcm.ui.internal.exec.ExecOutcome;
import pcm.ui.internal.status.ExitStatus;

/**
 * Runs one Gogo command line in the resident runtime for a client that attached over the API (bin/pcm exec,
 * bin/pcm shell): its output, its error output and its exit status, with the same rules as the one-shot headless
 * mode ({@link ExecOutcome}). A running command can be interrupted by its id (the client's Ctrl-C): the thread that
 * runs it is interrupted, never the runtime.
 */
public final class RemoteExec {

    public record Result(String output, String error, int status, String message) {}

    private final Map<String, Thread> running = new ConcurrentHashMap<>();

    public Result run(CommandProcessor processor, String line, String id) {
        if (line == null || line.isBlank()) {
            ExecOutcome o = ExecOutcome.blank();
            return new Result("", "", o.status(), o.message());
        }
        ExecCommand command = ExecCommand.parse(line);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8);
        ExecOutcome outcome;
        if (id != null && running.putIfAbsent(id, Thread.currentThread()) != null)
            return new Result("", "", ExitStatus.USAGE.code(), "pcm: exec id " + id + " is already running");
        CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), o, e);
        try {
            Object result = session.execute(line);
            if (result != null) {
                CharSequence text = session.format(result, Converter.INSPECT);
                o.print(text);
                if (text.length() > 0 && text.charAt(text.length() - 1) != '\n') o.println();
            }
            outcome = ExecOutcome.ok(session.get(ExitStatus.VARIABLE));
        } catch (Exception ex) {
            outcome = Thread.interrupted() ? ExecOutcome.of(ExitStatus.FAILED, "pcm: " + command.name() + ": interrupted")
                    : ExecOutcome.failed(command, ex);
        } finally {
            if (id != null) running.remove(id);
            Thread.interrupted(); // an interrupt that came late must not reach the next request on this server thread
            session.close();
        }
        o.flush();
        e.flush();
        return new Result(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), outcome.status(),
                outcome.message());
    }

    /** Interrupts the command running under {@code id}; false when none does. */
    public boolean interrupt(String id) {
        Thread t = running.get(id);
        if (t == null) return false;
        t.interrupt();
        return true;
    }
}
