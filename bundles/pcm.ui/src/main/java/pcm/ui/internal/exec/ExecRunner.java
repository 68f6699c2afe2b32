package pcm.ui.internal.exec;

import java.io.FileDescriptor;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.felix.service.command.CommandProcessor;
import org.apache.felix.service.command.CommandSession;
import org.apache.felix.service.command.Converter;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceListener;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.startlevel.BundleStartLevel;
import org.osgi.framework.startlevel.FrameworkStartLevel;
import org.osgi.framework.wiring.FrameworkWiring;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;

import pcm.ui.internal.status.ExitStatus;

/**
 * The headless mode of the launcher: {@code bin/pcm exec '<gogo command>'} starts the framework
 * with the framework/system property {@value #EXEC} set to the command line. Once the command's
 * service is registered (or, for names no service provides, once the framework has settled),
 * this component runs the line in a Gogo session, prints the result and ends the JVM with the
 * command's status (see {@link ExitStatus}, {@link ExecOutcome}). The JVM's shutdown hooks stop the framework.
 * <p>
 * Gogo's own {@code -Dgosh.args=-c} cannot be used for this: it runs before the other bundles have
 * registered their commands.
 */
@Component(immediate = true)
public class ExecRunner {

    /** The command line to run (framework or system property). */
    public static final String EXEC = "pcm.exec";
    /** Seconds to wait for the command's registration before trying anyway (default 60). */
    public static final String TIMEOUT = "pcm.exec.timeout";
    /** Extra milliseconds to wait before running the command (default 0). */
    public static final String DELAY = "pcm.exec.delay";
    /** Print stack traces of failing commands. */
    public static final String TRACE = "pcm.exec.trace";
    /** Once the framework has reached its start level, wait this long for a command that is not there yet. */
    static final long SETTLE_MILLIS = 1500;
    /** Before running, no service event for this long (see {@link #awaitQuiet}). */
    static final long QUIET_MILLIS = 300;
    static final long QUIET_MAX_MILLIS = 5000;
    /** At most this long for FileInstall to take what is already in its directories. */
    static final long FILEINSTALL_MAX_MILLIS = 10_000;

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
            long timeout = parseLong(context.getProperty(TIMEOUT), 60);
            ServiceReference<CommandProcessor> ref = awaitCommand(context, command, TimeUnit.SECONDS.toMillis(timeout));
            if (ref == null) outcome = ExecOutcome.timedOut(command, timeout);
            else {
                awaitQuiet(context, TimeUnit.SECONDS.toMillis(timeout));
                if (DropIns.await(context, FILEINSTALL_MAX_MILLIS)) awaitQuiet(context, TimeUnit.SECONDS.toMillis(timeout));
                long delay = parseLong(context.getProperty(DELAY), 0);
                if (delay > 0) Thread.sleep(delay);
                outcome = execute(context, ref, command, out, err);
            }
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
     * Waits for the CommandProcessor and the command's service. Returns the processor's reference,
     * or null on timeout. Returns without the command's service once the framework has reached its
     * beginning start level and stayed there for {@link #SETTLE_MILLIS} (Gogo then reports the
     * missing command itself).
     */
    private ServiceReference<CommandProcessor> awaitCommand(BundleContext context, ExecCommand command, long timeoutMillis)
        throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        long settledSince = -1;
        while (true) {
            ServiceReference<CommandProcessor> ref = context.getServiceReference(CommandProcessor.class);
            if (ref != null) {
                if (registered(context, command)) return ref;
                if (settled(context)) {
                    long now = System.nanoTime();
                    if (settledSince < 0) settledSince = now;
                    else if (now - settledSince > TimeUnit.MILLISECONDS.toNanos(SETTLE_MILLIS)) return ref;
                } else settledSince = -1;
            }
            if (System.nanoTime() > deadline) return ref;
            Thread.sleep(25);
        }
    }

    /**
     * Components activate asynchronously (SCR's actor thread), so a command may be registered before
     * the services it reports on; and the launcher raises the start level bundle by bundle, so
     * pcm:run may be registered before pcm.vmx has started (its KVM probe is slow on a loaded host:
     * "backend 'kvm' is not installed"). Waits until no bundle the framework is going to start is
     * still waiting (at most {@code maxMillis}, the exec timeout), then until no service has come or
     * gone for {@link #QUIET_MILLIS} (at most {@link #QUIET_MAX_MILLIS} more).
     */
    private static void awaitQuiet(BundleContext context, long maxMillis) throws InterruptedException {
        AtomicLong last = new AtomicLong(System.nanoTime());
        ServiceListener listener = e -> last.set(System.nanoTime());
        context.addServiceListener(listener);
        try {
            long hard = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(maxMillis);
            long quietDeadline = -1;
            while (System.nanoTime() < hard) {
                if (!pendingStart(context)) {
                    if (quietDeadline < 0) quietDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(QUIET_MAX_MILLIS);
                    if (settled(context) && System.nanoTime() - last.get() > TimeUnit.MILLISECONDS.toNanos(QUIET_MILLIS)) return;
                    if (System.nanoTime() > quietDeadline) return;
                }
                Thread.sleep(20);
            }
        } finally {
            context.removeServiceListener(listener);
        }
    }

    /**
     * A bundle marked to start whose start level the framework is at or going to (up to the beginning level) and that
     * has not started yet: the start-level thread will get to it. One that cannot resolve (a second pcm.core) or that
     * is lazy or a fragment is not waited for.
     */
    private static final java.util.Set<Long> UNRESOLVABLE = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** An INSTALLED bundle the framework cannot resolve (asked once: the framework would log every attempt). */
    static boolean unresolvable(FrameworkWiring wiring, Bundle b) {
        if (b.getState() != Bundle.INSTALLED) return false;
        if (UNRESOLVABLE.contains(b.getBundleId())) return true;
        if (wiring != null && wiring.resolveBundles(List.of(b))) return false;
        UNRESOLVABLE.add(b.getBundleId());
        return true;
    }

    static boolean pendingStart(BundleContext context) {
        long beginning = parseLong(context.getProperty("org.osgi.framework.startlevel.beginning"), 1);
        FrameworkWiring wiring = context.getBundle(0).adapt(FrameworkWiring.class);
        for (Bundle b : context.getBundles()) {
            int state = b.getState();
            if (state != Bundle.INSTALLED && state != Bundle.RESOLVED && state != Bundle.STARTING) continue;
            if (b.getHeaders().get("Fragment-Host") != null
                || String.valueOf(b.getHeaders().get("Bundle-ActivationPolicy")).startsWith("lazy")) continue;
            BundleStartLevel bsl = b.adapt(BundleStartLevel.class);
            if (bsl == null || !bsl.isPersistentlyStarted() || bsl.getStartLevel() > beginning) continue;
            if (state == Bundle.INSTALLED && unresolvable(wiring, b)) continue;
            return true;
        }
        return false;
    }

    private static boolean registered(BundleContext context, ExecCommand command) {
        String filter = command.serviceFilter();
        if (filter == null) return false;
        try {
            ServiceReference<?>[] refs = context.getAllServiceReferences(null, filter);
            return refs != null && refs.length > 0;
        } catch (InvalidSyntaxException e) {
            return false;
        }
    }

    /** The framework is at its beginning start level, no bundle is in transition and none waits to be started. */
    private static boolean settled(BundleContext context) {
        Bundle system = context.getBundle(0);
        if (system.getState() != Bundle.ACTIVE) return false;
        FrameworkStartLevel fsl = system.adapt(FrameworkStartLevel.class);
        long beginning = parseLong(context.getProperty("org.osgi.framework.startlevel.beginning"), 1);
        if (fsl != null && fsl.getStartLevel() < beginning) return false;
        if (pendingStart(context)) return false;
        for (Bundle b : context.getBundles())
            if (b.getState() == Bundle.STARTING && !String.valueOf(b.getHeaders().get("Bundle-ActivationPolicy")).startsWith("lazy"))
                return false;
        return true;
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
