package pcm.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

/** What Tab offers at each position of a line, from what the resident lists (a fake {@link ShellCompleter.Source}). */
class ShellCompleterTest {

    private final ShellCompleter completer = new ShellCompleter(new ShellCompleter.Source() {
        @Override
        public Map<String, List<String>> commands() {
            return ShellCompleter.parseCommands("pcm:run --backend --blocks\npcm:verify --rcp\npcm:vm\npcm:log\npcm:config\nlog:set --terminal\nnot a command\n");
        }

        @Override
        public List<String> windowIds() {
            return List.of("w1", "w2");
        }

        @Override
        public List<String> pids() {
            return List.of("pcm.vm", "pcm.sampling");
        }
    });

    private List<String> at(int index, String... words) {
        return completer.candidates(List.of(words), index);
    }

    @Test
    void commandsAndTheirOptionsComeFromTheResident() {
        assertEquals(List.of("pcm:run", "pcm:verify", "pcm:vm", "pcm:log", "pcm:config", "log:set"), at(0, "pcm:"));
        assertEquals(List.of("--backend", "--blocks"), at(1, "pcm:run", "--b"));
        assertEquals(List.of("--rcp"), at(2, "pcm:verify", "w1", "-"));
        assertEquals(List.of(), at(1, "pcm:nosuch", "--x"));
    }

    @Test
    void actionsWindowIdsPidsAndLevels() {
        assertTrue(at(1, "pcm:vm", "st").containsAll(List.of("status", "start", "stop")));
        assertEquals(List.of("w1", "w2"), at(1, "pcm:verify", "w"));
        assertEquals(List.of("w1", "w2"), at(3, "pcm:verify", "--rcp", "soft", ""), "after an option and its value");
        assertEquals(List.of("show", "export-json", "check"), at(1, "pcm:log", ""));
        assertEquals(List.of("w1", "w2"), at(2, "pcm:log", "check", ""));
        assertEquals(List.of("pcm.vm", "pcm.sampling"), at(2, "pcm:config", "show", ""));
        assertEquals(List.of(), at(2, "pcm:config", "list", ""));
        assertEquals(ShellCompleter.LEVELS, at(2, "log:set", "pcm", ""));
        assertEquals(List.of(), at(2, "pcm:vm", "status", ""));
    }

    @Test
    void listsFromCommandOutput() {
        assertEquals(List.of("w1", "w2"), AttachedShell.ApiSource.words("[w1, w2]\n"));
        assertEquals(List.of("w1", "w2"), AttachedShell.ApiSource.words("w1\nw2\n"));
        assertEquals(List.of(), AttachedShell.ApiSource.words(""));
    }
}
