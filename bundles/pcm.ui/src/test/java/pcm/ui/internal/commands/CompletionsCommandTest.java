package pcm.ui.internal.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;

import org.junit.jupiter.api.Test;

/** The options {@code pcm:completions} lists for a command: its methods' {@code @Parameter} names, the long one. */
class CompletionsCommandTest {

    @Test
    void optionsOfTheCommandsMethods() {
        Set<String> run = CompletionsCommand.options(RunCommand.class, "run");
        assertTrue(run.containsAll(Set.of("--blocks", "--backend", "--timeout", "--window", "--kernel")), run.toString());
        assertTrue(run.stream().allMatch(o -> o.startsWith("--")), "the long names: " + run);
        assertEquals(Set.of("--rcp"), CompletionsCommand.options(VerifyCommand.class, "verify"));
        assertEquals(Set.of(), CompletionsCommand.options(VmCommand.class, "vm"));
    }
}
