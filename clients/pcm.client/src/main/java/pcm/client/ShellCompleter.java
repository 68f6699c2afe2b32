package pcm.client;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;

/**
 * Tab completion of the attached shell: command names and each command's options as the resident runtime lists them
 * ({@code pcm:completions}: a drop-in's commands included), the actions of the {@code pcm:*} commands (the same table
 * as the local shell's gosh_profile), window ids ({@code pcm:windowids}) where a command takes a window, PIDs
 * ({@code pcm:config pids}) for {@code pcm:config}, levels for {@code log:set}. The dynamic lists come from the API
 * when Tab is pressed ({@link Source}); a resident that does not answer completes nothing rather than failing the line.
 */
final class ShellCompleter implements Completer {

    /** What the resident knows. Each call may go to the API; an empty list when it does not answer. */
    interface Source {
        /** {@code scope:function} to its options ({@code --blocks}, ...). */
        Map<String, List<String>> commands();

        List<String> windowIds();

        List<String> pids();
    }

    /** The first argument's actions, per command (as bin/lib/gosh/etc/gosh_profile completes them locally). */
    static final Map<String, List<String>> ACTIONS = Map.of(
            "pcm:vm", List.of("status", "start", "pause", "resume", "stop", "regs", "exits"),
            "pcm:sample", List.of("now", "start", "stop", "status", "command"),
            "pcm:log", List.of("show", "export-json", "check"),
            "pcm:evidence", List.of("export", "import", "check", "list"),
            "pcm:config", List.of("list", "show", "set", "export", "import", "snapshot", "snapshots", "restore", "delete-snapshot"),
            "pcm:console", List.of("send"),
            "log:set", List.of("ROOT", "pcm", "--terminal"));
    static final List<String> LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

    private final Source source;

    ShellCompleter(Source source) {
        this.source = source;
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        for (String s : candidates(line.words(), line.wordIndex())) candidates.add(new Candidate(s));
    }

    /** The words that may stand at {@code index} of {@code words} (JLine filters them by the prefix typed). */
    List<String> candidates(List<String> words, int index) {
        if (index == 0) return List.copyOf(source.commands().keySet());
        String command = words.get(0);
        String current = index < words.size() ? words.get(index) : "";
        if (current.startsWith("-")) return source.commands().getOrDefault(command, List.of());
        int arg = argumentIndex(words, index); // 1 = the first argument that is not an option
        String action = arg >= 2 ? firstArgument(words) : null;
        return switch (command) {
            case "pcm:verify" -> source.windowIds();
            case "pcm:log" -> arg == 1 ? ACTIONS.get(command) : source.windowIds();
            case "pcm:evidence" -> arg == 1 ? ACTIONS.get(command) : "export".equals(action) ? source.windowIds() : List.of();
            case "pcm:config" -> arg == 1 ? ACTIONS.get(command) : arg == 2 && ("show".equals(action) || "set".equals(action)) ? source.pids() : List.of();
            case "log:set" -> arg == 1 ? ACTIONS.get(command) : LEVELS;
            default -> arg == 1 ? ACTIONS.getOrDefault(command, List.of()) : List.of();
        };
    }

    /** Which argument {@code index} is, counting neither the command nor options (and an option's value). */
    private static int argumentIndex(List<String> words, int index) {
        int arg = 0;
        for (int i = 1; i <= index && i < words.size() + 1; i++) {
            String w = i < words.size() ? words.get(i) : "";
            if (i < index && w.startsWith("-")) continue;
            arg++;
        }
        return arg;
    }

    private static String firstArgument(List<String> words) {
        for (int i = 1; i < words.size(); i++) if (!words.get(i).startsWith("-")) return words.get(i);
        return null;
    }

    /** {@code pcm:completions}'s text: one command a line, its options after it. */
    static Map<String, List<String>> parseCommands(String text) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String[] w = line.strip().split("\\s+");
            if (w.length == 0 || !w[0].contains(":")) continue;
            out.put(w[0], List.of(w).subList(1, w.length));
        }
        return out;
    }
}
