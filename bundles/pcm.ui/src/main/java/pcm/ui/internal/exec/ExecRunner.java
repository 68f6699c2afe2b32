package pcm.ui.internal.exec;

import pcm.ui.internal.commands.ConsolePump;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

import pcm.ui.internal.status.ExitStatus;

/**
 * The headless mode of the launcher: {@code bin/pcm exec '<gogo command>'} starts the framework
 * with the framework/system property {@value #EXEC} set to the command line. Once the runtime is ready (the
 * Condition {@code osgi.condition.id=pcm.ready} of {@link ReadinessCondition}: every bundle to start has started,
 * no DS component is on its way, the kernel has bound every backend) and FileInstall has taken the drop-ins,
 * this component runs the line in a Gogo session, prints the result and ends the JVM with the
 * command's status (see {@link ExitStatus}, {@link ExecOutcome}). The JVM's shutdown hooks stop the framework.
 * Not ready within {@value #TIMEOUT} seconds: FAILED, naming what is not up.
 * <p>
 * Gogo's own {@code -Dgosh.args=-c} cannot be used for this: it runs before the other bundles have
 * registered their commands. Issue 12 item 4: this used to wait for "300 ms without a service event" (at most 5 s),
 * and on a slow host ran {@code pcm:run} before the KVM backend was up; {@code -Dpcm.exec.delay} was the workaround.
 */
@Component(immediate = true)
public class ExecRunner {

    /** The command line to run (framework or system property). */
    public static final String EXEC = "pcm.exec";
    /** Seconds to wait for readiness before giving up with FAILED (default {@value #DEFAULT_TIMEOUT}). */
    public static final String TIMEOUT = "pcm.exec.timeout";
    static final long DEFAULT_TIMEOUT = 300;
    /** The fixed delay this replaced; ignored, with a warning, if still given. */
    static final String OLD_DELAY = "pcm.exec.delay";
    /** Print stack traces of failing commands. */
    public static final String TRACE = "pcm.exec.trace";
    /** At most this long for FileInstall to take what is already in its directories. */
    static final long FILEINSTALL_MAX_MILLIS = 10_000;
    static final long POLL_MILLIS = 25;

    private static final Object ONCE = new Object();
    private static boolean started;

    private volatile Thread thread;

    @Activate
    void activate(BundleContext context) {
        String line = context.getProperty(EXEC);
        if (line == null) return;
        synchronized (ONCE) { // the bundle may be restarted; the command runs once per JVM
            if (started) return;
            started = true;
        }
        // A blank line used to leave the headless framework running for ever (issue 11 item 6): end with USAGE.
        Thread t = line.isBlank() ? new Thread(() -> exit(ExecOutcome.blank()), "pcm-exec")
            : new Thread(() -> run(context, ExecCommand.parse(line)), "pcm-exec");
        thread = t;
        t.start();
    }

    @Deactivate
    void deactivate() {
        Thread t = thread;
        if (t != null && t != Thread.currentThread()) t.interrupt();
    }

    private void run(BundleContext context, ExecCommand command) {
        // Not System.out/err: Gogo's ThreadIO has replaced them with streams that write into the
        // current pipe, which would be this session's own output (endless recursion on any log line).
        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true);
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true);
        ExecOutcome outcome;
        try {
            if (context.getProperty(OLD_DELAY) != null)
                err.println("pcm: " + OLD_DELAY + " is no longer used: the command waits until the runtime is ready");
            long timeout = parseLong(context.getProperty(TIMEOUT), DEFAULT_TIMEOUT);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeout);
            List<String> pending = awaitReady(context, deadline);
            if (pending.isEmpty() && DropIns.await(context, FILEINSTALL_MAX_MILLIS)) pending = awaitProbe(context, deadline);
            ServiceReference<CommandProcessor> ref = context.getServiceReference(CommandProcessor.class);
            if (!pending.isEmpty()) outcome = ExecOutcome.notReady(command, timeout, pending);
            else if (ref == null) outcome = ExecOutcome.timedOut(command, timeout);
            else outcome = execute(context, ref, command, out, err);
        } catch (InterruptedException e) {
            outcome = ExecOutcome.of(ExitStatus.FAILED, "pcm: " + command.name() + ": interrupted (framework stopping)");
        } catch (RuntimeException e) {
            outcome = ExecOutcome.failed(command, e);
        }
        out.flush();
        exit(outcome);
    }

    /** Prints the outcome's message on the real stderr and ends the JVM with its status (shutdown hooks stop the framework). */
    private static void exit(ExecOutcome outcome) {
        PrintStream err = new PrintStream(new FileOutputStream(FileDescriptor.err), true);
        if (outcome.message() != null) err.println(outcome.message());
        err.flush();
        System.exit(outcome.status());
    }

    private ExecOutcome execute(BundleContext context, ServiceReference<CommandProcessor> ref, ExecCommand command,
                                PrintStream out, PrintStream err) {
        CommandProcessor processor = context.getService(ref);
        if (processor == null) return ExecOutcome.of(ExitStatus.FAILED, "pcm: Gogo's CommandProcessor went away");
        CommandSession session = processor.createSession(new FileInputStream(FileDescriptor.in), out, err);
        // headless: the process's standard input is nobody else's, so a Linux run may feed it to the guest's console
        session.put(ConsolePump.STDIN_TO_GUEST, Boolean.TRUE);
        try {
            Object result = session.execute(command.line());
            if (result != null) {
                CharSequence text = session.format(result, Converter.INSPECT);
                out.print(text);
                if (text.length() > 0 && text.charAt(text.length() - 1) != '\n') out.println();
            }
            return ExecOutcome.ok(session.get(ExitStatus.VARIABLE));
        } catch (Exception e) {
            if (Boolean.parseBoolean(context.getProperty(TRACE))) e.printStackTrace(err);
            return ExecOutcome.failed(command, e);
        } finally {
            session.close();
            try {
                context.ungetService(ref);
            } catch (IllegalStateException stopping) {
                // the bundle is stopping
            }
        }
    }

    /**
     * Waits for the {@code pcm.ready} Condition (and Gogo's CommandProcessor, which is part of being up) until the
     * deadline; returns what is still not ready (empty: ready).
     */
    private static List<String> awaitReady(BundleContext context, long deadline) throws InterruptedException {
        while (true) {
            boolean ready;
            try {
                ServiceReference<?>[] refs = context.getAllServiceReferences(null, ReadinessCondition.FILTER);
                ready = refs != null && refs.length > 0;
            } catch (InvalidSyntaxException impossible) {
                throw new IllegalStateException(impossible);
            }
            boolean gogo = context.getServiceReference(CommandProcessor.class) != null;
            if (ready && gogo) return List.of();
            if (System.nanoTime() - deadline > 0) {
                List<String> pending = new ArrayList<>(ReadinessProbe.pending(context));
                if (!gogo) pending.add("no Gogo CommandProcessor service");
                if (pending.isEmpty()) pending.add("no " + ReadinessCondition.ID + " condition (is pcm.ui's ReadinessCondition active?)");
                return pending;
            }
            Thread.sleep(POLL_MILLIS);
        }
    }

    /** After the drop-ins: their bundles' components may still be on their way (the condition was registered before). */
    private static List<String> awaitProbe(BundleContext context, long deadline) throws InterruptedException {
        while (true) {
            List<String> pending = ReadinessProbe.pending(context);
            if (pending.isEmpty() || System.nanoTime() - deadline > 0) return pending;
            Thread.sleep(POLL_MILLIS);
        }
    }

    private static long parseLong(String s, long dflt) {
        if (s == null) return dflt;
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return dflt;
        }
    }
}
