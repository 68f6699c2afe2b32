package pcm.ui.internal.remote;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.apache.felix.service.command.Job;

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

    /** A command line running for a client, and the job an interrupt was sent to. */
    private static final class Running {
        final CommandSession session;
        volatile Job interrupted;

        Running(CommandSession session) {
            this.session = session;
        }
    }

    /** How long an interrupted command may take to end (close its window, stop the guest) before the answer goes out. */
    static final long INTERRUPTED_END_MILLIS = 60_000;

    private final Map<String, Running> running = new ConcurrentHashMap<>();

    public Result run(CommandProcessor processor, String line, String id) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        Result r = run(processor, line, id, out, err);
        return new Result(out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8), r.status(), r.message());
    }

    /**
     * Runs the line with its output and error output written to {@code output} and {@code error} as the command prints
     * them (the attached shell's streamed mode); the result's output and error are empty.
     */
    public Result run(CommandProcessor processor, String line, String id, OutputStream output, OutputStream error) {
        if (line == null || line.isBlank()) {
            ExecOutcome o = ExecOutcome.blank();
            return new Result("", "", o.status(), o.message());
        }
        ExecCommand command = ExecCommand.parse(line);
        PrintStream o = new PrintStream(output, true, StandardCharsets.UTF_8);
        PrintStream e = new PrintStream(error, true, StandardCharsets.UTF_8);
        ExecOutcome outcome;
        CommandSession session = processor.createSession(new ByteArrayInputStream(new byte[0]), o, e);
        Running self = new Running(session);
        if (id != null && running.putIfAbsent(id, self) != null) {
            session.close();
            return new Result("", "", ExitStatus.USAGE.code(), "pcm: exec id " + id + " is already running");
        }
        try {
            Object result = session.execute(line);
            if (result != null) {
                CharSequence text = session.format(result, Converter.INSPECT);
                o.print(text);
                if (text.length() > 0 && text.charAt(text.length() - 1) != '\n') o.println();
            }
            outcome = ExecOutcome.ok(session.get(ExitStatus.VARIABLE));
        } catch (Exception ex) {
            outcome = ExecOutcome.failed(command, ex);
        }
        try {
            Job job = self.interrupted;
            // Gogo's interrupt lets the caller return at once while the command still ends in its own thread:
            // wait for it, and answer with how it ended (and all it printed)
            if (job != null) outcome = endOf(command);
        } finally {
            if (id != null) running.remove(id);
            session.close();
        }
        o.flush();
        e.flush();
        return new Result("", "", outcome.status(), outcome.message());
    }

    /**
     * Gogo 1.1 answers an interrupted job at once (the job's future is cancelled) while its statements still end in
     * their threads; a thread is named {@code pipe-<statement>} while it runs one (Gogo's Pipe renames it back after).
     * Waits (bounded) until no thread runs a statement of this line, so the answer comes when the command has really
     * ended (pcm:run has closed its window and stopped the guest), with all it printed.
     */
    private static ExecOutcome endOf(ExecCommand command) {
        long deadline = System.nanoTime() + INTERRUPTED_END_MILLIS * 1_000_000;
        while (runsStatementOf(command.line()) && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                break;
            }
        }
        Thread.interrupted(); // the job's interrupt may have reached this thread too: not the next request's business
        return ExecOutcome.of(ExitStatus.FAILED, "pcm: " + command.name() + ": interrupted");
    }

    private static boolean runsStatementOf(String line) {
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            String name = t.getName();
            if (name.startsWith("pipe-") && name.length() > 5 && line.contains(name.substring(5))) return true;
        }
        return false;
    }

    /**
     * Interrupts the command running under {@code id} (false when none does): Gogo runs a command line as a job in
     * threads of its own, so the job is interrupted — the request that runs it waits until the command has ended,
     * and answers with how it ended.
     */
    public boolean interrupt(String id) {
        Running r = running.get(id);
        if (r == null) return false;
        Job job = r.session.foregroundJob();
        if (job == null) return false;
        r.interrupted = job;
        job.interrupt();
        return true;
    }
}
