package pcm.client;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

import org.jline.reader.EndOfFileException;
import org.jline.reader.LineReader;
import org.jline.reader.LineReaderBuilder;
import org.jline.reader.UserInterruptException;
import org.jline.terminal.Terminal;
import org.jline.terminal.TerminalBuilder;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code bin/pcm shell} attached to a resident PCM (issue 16 item 2): a JLine shell in the operator's terminal whose
 * commands run in the resident runtime through its API ({@link Api}), never a framework of its own.
 * <ul>
 * <li>line editing and history ({@code <data>/run/shell_history}, the local shell's file too);
 * <li>Tab completes commands, options, actions, window ids and PIDs ({@link ShellCompleter}, from the API);
 * <li>a command's output is shown as it is printed (Pcm.Exec streamed as server-sent events);
 * <li>Ctrl-C interrupts the running remote command ({@code Pcm.Interrupt}) — never PCM, never this client; at the
 * prompt it clears the line; Ctrl-D (or {@code exit}) detaches;
 * <li>{@code pcm:console} attaches to the guest's console in raw mode ({@link RemoteConsole}; Ctrl-] detaches).
 * </ul>
 * Exit status: 0 detached; 6 (FAILED) when the resident cannot be reached at all. A command's status is shown after it,
 * {@code (exit status N)}, as the bash client did, and the last one is not this program's status (a shell's is not).
 */
public final class AttachedShell {

    static final int EXIT_USAGE = 2;
    static final int EXIT_FAILED = 6;

    private final Terminal terminal;
    private final Api api;
    private final PrintStream err;
    /** The command running now (its ExecId), for Ctrl-C. */
    private volatile String running;

    AttachedShell(Terminal terminal, Api api, PrintStream err) {
        this.terminal = terminal;
        this.api = api;
        this.err = err;
    }

    public static void main(String[] args) {
        Logger.getLogger("org.jline").setLevel(Level.OFF); // JLine's own notes (no native terminal, ...) are not the operator's
        Path data = null;
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--data") && i + 1 < args.length) data = Path.of(args[++i]);
            else {
                System.err.println("pcm: shell client: unknown argument '" + args[i] + "' (usage: --data DIR)");
                System.exit(EXIT_USAGE);
            }
        }
        if (data == null) {
            System.err.println("pcm: shell client: --data DIR is needed");
            System.exit(EXIT_USAGE);
        }
        System.exit(run(data));
    }

    static int run(Path data) {
        PrintStream err = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.err), true, StandardCharsets.UTF_8);
        Api api;
        try {
            api = Api.of(data);
        } catch (ApiException e) {
            err.println("pcm: " + e.getMessage());
            return EXIT_FAILED;
        }
        try (Terminal terminal = TerminalBuilder.builder().name("pcm").system(true).nativeSignals(true)
                .dumb(true).encoding(StandardCharsets.UTF_8).build()) {
            return new AttachedShell(terminal, api, err).loop(data);
        } catch (IOException e) {
            err.println("pcm: shell client: no terminal: " + e.getMessage());
            return EXIT_FAILED;
        }
    }

    int loop(Path data) {
        PrintWriter out = terminal.writer();
        // the first request says whether the resident answers at all
        try {
            JsonNode banner = api.exec("pcm:banner");
            out.println(banner.path("Output").asText().stripTrailing());
        } catch (ApiException e) {
            err.println("pcm: " + e.getMessage());
            return EXIT_FAILED;
        }
        out.println();
        out.println("attached to the resident PCM on " + data + " (" + api.base() + "); Tab completes, Ctrl-C interrupts a command, "
                + "pcm:console attaches to the guest's console, Ctrl-D detaches");
        out.flush();
        LineReader reader = LineReaderBuilder.builder().terminal(terminal).appName("pcm")
                .completer(new ShellCompleter(new ApiSource(api)))
                .variable(LineReader.HISTORY_FILE, data.resolve("run/shell_history"))
                .variable(LineReader.HISTORY_SIZE, 1000)
                .option(LineReader.Option.DISABLE_EVENT_EXPANSION, true) // '!' is Gogo's, not history's
                .build();
        // Ctrl-C while a command runs: interrupt that command in PCM (at the prompt, JLine's own handler clears the line)
        terminal.handle(Terminal.Signal.INT, s -> interruptRunning());
        while (true) {
            String line;
            try {
                line = reader.readLine("pcm> ");
            } catch (UserInterruptException ctrlC) {
                continue;
            } catch (EndOfFileException ctrlD) {
                out.println();
                out.flush();
                break;
            }
            String l = line.strip();
            if (l.isEmpty()) continue;
            if (l.equals("exit") || l.equals("quit") || l.equals("detach")) break;
            // Gogo takes "console" for pcm:console too; "pcm:console send <text>" stays a command
            if (l.equals("pcm:console") || l.equals("console")) console(out);
            else {
                int status = execute(line, out);
                if (status != 0) err.println("(exit status " + status + ")");
            }
        }
        try {
            reader.getHistory().save();
        } catch (IOException e) {
            err.println("pcm: the history was not saved: " + e.getMessage());
        }
        return 0;
    }

    private void console(PrintWriter out) {
        try {
            out.println(RemoteConsole.attach(terminal, api));
        } catch (ApiException | IOException e) {
            err.println("pcm: pcm:console: " + e.getMessage());
        }
        out.flush();
    }

    /** Runs the line in the resident PCM, its output shown as it comes; the command's exit status. */
    int execute(String line, PrintWriter out) {
        String id = "jline-" + ProcessHandle.current().pid() + "-" + UUID.randomUUID();
        running = id;
        try (Sse events = api.execStreamed(line, id)) {
            for (Sse.Event e; (e = events.next()) != null; ) {
                JsonNode n = Api.JSON.readTree(e.data());
                switch (e.type()) {
                    case "output" -> {
                        out.print(n.path("Text").asText());
                        out.flush();
                    }
                    case "error" -> {
                        out.flush();
                        err.print(n.path("Text").asText());
                    }
                    case "end" -> {
                        out.flush();
                        if (n.path("Message").isTextual()) err.println(n.path("Message").asText());
                        return n.path("ExitStatus").asInt(EXIT_FAILED);
                    }
                    default -> { } // a newer server's events
                }
            }
            err.println("pcm: the connection to the resident PCM ended before the command did (is PCM still running? bin/pcm status)");
            return EXIT_FAILED;
        } catch (ApiException e) {
            err.println("pcm: " + e.getMessage());
            return EXIT_FAILED;
        } catch (IOException e) {
            err.println("pcm: the connection to the resident PCM broke: " + e.getMessage());
            return EXIT_FAILED;
        } finally {
            running = null;
        }
    }

    private void interruptRunning() {
        String id = running;
        if (id == null) return;
        // not on the signal's thread: the request may take a moment, and a second Ctrl-C must still be taken
        Thread.ofPlatform().daemon().name("pcm-interrupt").start(() -> {
            try {
                if (api.interrupt(id)) err.println(" (interrupting the command)");
                else err.println(" (no command of this shell is running in PCM now: it has not started yet or has just ended)");
            } catch (ApiException e) {
                err.println("pcm: the interrupt did not reach PCM: " + e.getMessage());
            }
        });
    }

    /** The completion lists from the API, the command list kept for the session (it changes only with bundles). */
    static final class ApiSource implements ShellCompleter.Source {
        private final Api api;
        private volatile Map<String, List<String>> commands;

        ApiSource(Api api) {
            this.api = api;
        }

        @Override
        public Map<String, List<String>> commands() {
            Map<String, List<String>> c = commands;
            if (c == null) {
                c = ShellCompleter.parseCommands(output("pcm:completions"));
                if (!c.isEmpty()) commands = c;
            }
            return c;
        }

        @Override
        public List<String> windowIds() {
            return words(output("pcm:windowids"));
        }

        @Override
        public List<String> pids() {
            return words(output("pcm:config pids"));
        }

        private String output(String line) {
            try {
                JsonNode n = api.exec(line);
                return n.path("ExitStatus").asInt() == 0 ? n.path("Output").asText() : "";
            } catch (ApiException e) {
                return ""; // nothing to complete; the next command will say what is wrong
            }
        }

        static List<String> words(String text) {
            List<String> out = new ArrayList<>();
            for (String w : text.split("[\\s,\\[\\]]+")) if (!w.isBlank()) out.add(w);
            return out;
        }
    }
}
