package pcm.ui.internal.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.felix.gogo.runtime.CommandProcessorImpl;
import org.apache.felix.gogo.runtime.threadio.ThreadIOImpl;
import org.apache.felix.service.command.CommandSession;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.osgi.framework.BundleContext;

import pcm.ui.internal.status.ExitStatus;

/**
 * Every {@code pcm:*} command, called the way Gogo calls it (the command service is a Function; Gogo's Reflective picks the method), answers
 * missing or wrong arguments with its usage and exit status USAGE, never Gogo's {@code Cannot coerce ...}; and arguments
 * that fit still reach the command (which then finds no service here: FAILED, not USAGE).
 */
class CommandUsageTest {

    private static ThreadIOImpl threadIO;
    private static CommandSession session;

    /** A framework without any service: commands that get past their arguments fail with "no ... service". */
    static final BundleContext NO_SERVICES = (BundleContext) Proxy.newProxyInstance(BundleContext.class.getClassLoader(),
            new Class<?>[] {BundleContext.class}, (p, m, a) -> switch (m.getName()) {
                case "toString" -> "no services";
                case "hashCode" -> 0;
                case "equals" -> p == a[0];
                case "getServiceReferences", "getAllServiceReferences" -> null;
                default -> null;
            });

    @BeforeAll
    static void gogo() {
        threadIO = new ThreadIOImpl();
        threadIO.start();
        session = new CommandProcessorImpl(threadIO).createSession(new ByteArrayInputStream(new byte[0]),
                new PrintStream(new ByteArrayOutputStream()), new PrintStream(new ByteArrayOutputStream()));
    }

    @AfterAll
    static void stop() {
        threadIO.stop();
    }

    static Object[] commands() {
        return new Object[] {new VmCommand(NO_SERVICES), new LogCommand(NO_SERVICES), new RunCommand(NO_SERVICES),
            new SampleCommand(NO_SERVICES), new StatusCommand(NO_SERVICES), new WindowsCommand(NO_SERVICES),
            new ServicesCommand(NO_SERVICES), new VerifyCommand(NO_SERVICES), new WindowIdsCommand(NO_SERVICES), new SelfTestCommand(NO_SERVICES),
            new pcm.ui.internal.config.ConfigCommand(NO_SERVICES),
            new ConsoleCommand(NO_SERVICES), new EvidenceCommand(NO_SERVICES), new CompletionsCommand(NO_SERVICES)};
    }

    /** Wrong or missing arguments, per function. */
    static final Map<String, List<List<Object>>> BAD = table(
        "vm", List.of(List.of(), List.of("regs", "x"), List.of("regs", "0", "extra")),
        "log", List.of(List.of(), List.of("show", "w1", "extra")),
        "run", List.of(List.of("--blocks", "abc"), List.of("--bogus"), List.of("--timeout")),
        "sample", List.of(List.of("now", "--insns", "x"), List.of("a", "b", "c")),
        "status", List.of(List.of("extra")),
        "windows", List.of(List.of("extra")),
        "services", List.of(List.of("a", "b")),
        "verify", List.of(List.of(), List.of("--rcp"), List.of("w1", "w2")),
        "windowids", List.of(List.of("extra")),
        "selftest", List.of(List.of("now")),
        "config", List.of(List.of("set", "pcm.vm"), List.of("a", "b", "c", "d", "e"), List.of("bogus")),
        "console", List.of(List.of("now")),
        "completions", List.of(List.of("extra")),
        "evidence", List.of(List.of(), List.of("export"), List.of("list", "x"), List.of("import"), List.of("bogus", "w1"),
                List.of("import", "a", "b"), List.of("--replace", "export", "w1"), List.of("check", "a", "b", "c")));

    /** Arguments that fit: the command runs (and, without services here, fails with FAILED, or succeeds). */
    static final Map<String, List<List<Object>>> GOOD = table(
        "vm", List.of(List.of("status"), List.of("regs", "0")),
        "log", List.of(List.of("check"), List.of("show", "w1")),
        "run", List.of(List.of(), List.of("--blocks", "5", "--backend", "soft")),
        "sample", List.of(List.of(), List.of("status")),
        "status", List.of(List.of()),
        "windows", List.of(List.of()),
        "services", List.of(List.of(), List.of("exit")),
        "verify", List.of(List.of("w1"), List.of("--rcp", "soft", "w1")),
        "windowids", List.of(List.of()),
        "completions", List.of(List.of()),
        "selftest", List.of(List.of()),
        "config", List.of(List.of(), List.of("show", "pcm.vm")),
        "evidence", List.of(List.of("list"), List.of("export", "w1"), List.of("export", "w1", "/tmp/x.zip"),
                List.of("import", "/tmp/x.zip"), List.of("import", "--replace", "/tmp/x.zip"), List.of("check", "/tmp/x.zip")));

    /** function, list of argument lists, function, ... (Map.of stops at ten). */
    @SuppressWarnings("unchecked")
    private static Map<String, List<List<Object>>> table(Object... pairs) {
        Map<String, List<List<Object>>> m = new java.util.HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) m.put((String) pairs[i], (List<List<Object>>) pairs[i + 1]);
        return m;
    }

    @Test
    void everyCommandAnswersWrongArgumentsWithItsUsage() {
        int checked = 0;
        for (Object command : commands()) {
            String function = functionOf(command);
            for (List<Object> args : BAD.get(function)) {
                CommandFailure f = assertThrows(CommandFailure.class, () -> call(command, function, args),
                        "pcm:" + function + " " + args);
                assertEquals(ExitStatus.USAGE, f.status(), f.getMessage());
                assertTrue(f.getMessage().contains("usage: pcm:" + function), "pcm:" + function + " " + args + ": " + f.getMessage());
                checked++;
            }
        }
        assertTrue(checked >= 17, "checked " + checked);
    }

    @Test
    void argumentsThatFitReachTheCommand() {
        for (Object command : commands()) {
            String function = functionOf(command);
            for (List<Object> args : GOOD.getOrDefault(function, List.of())) { // pcm:console runs until Ctrl-C: not here
                try {
                    call(command, function, args);
                } catch (CommandFailure f) {
                    assertNotEquals(ExitStatus.USAGE, f.status(), "pcm:" + function + " " + args + ": " + f.getMessage());
                } catch (Exception e) {
                    // the fake framework is thin (pcm:status reads the system bundle): anything but a refusal of the arguments
                    assertTrue(!(e instanceof IllegalArgumentException), "pcm:" + function + " " + args + ": " + e);
                }
            }
        }
    }

    /** The function named in the component's osgi.command.function (the first, for commands with several). */
    private static String functionOf(Object command) {
        return ((PcmCommand) command).function();
    }

    private static Object call(Object command, String function, List<Object> args) throws Exception {
        // what Gogo's CommandProxy does with a command service that is a Function
        return ((org.apache.felix.service.command.Function) command).execute(session, new ArrayList<>(args));
    }
}
