package pcm.logging;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.util.LogbackMDCAdapter;

/**
 * Issue 11 item 8: the runtime's logback.xml (this fragment's) keeps stack traces off the operator's terminal and
 * writes them to {@code <pcm.data>/log/pcm.log}; the terminal gets the one line.
 */
class LogbackConfigTest {

    @Test
    void stackTracesGoToTheDataDirectoryNotTheTerminal(@TempDir Path data) throws Exception {
        URL config = getClass().getClassLoader().getResource("logback.xml");
        assertTrue(config != null && config.getPath().contains("pcm.logging"), "the fragment's logback.xml: " + config);
        PrintStream err = System.err;
        ByteArrayOutputStream terminal = new ByteArrayOutputStream();
        System.setProperty("pcm.data", data.toString());
        LoggerContext ctx = new LoggerContext();
        ctx.setMDCAdapter(new LogbackMDCAdapter());
        try {
            System.setErr(new PrintStream(terminal, true, StandardCharsets.UTF_8));
            JoranConfigurator joran = new JoranConfigurator();
            joran.setContext(ctx);
            joran.doConfigure(config);
            ctx.getLogger("pcm.test").error("the sampler failed", new IllegalStateException("windowTimeoutMillis=abc"));
            ctx.getLogger("pcm.test").debug("not at the default level");
        } finally {
            ctx.stop();
            System.setErr(err);
            System.clearProperty("pcm.data");
        }
        String term = terminal.toString(StandardCharsets.UTF_8);
        assertTrue(term.contains("ERROR pcm.test - the sampler failed"), term);
        assertFalse(term.contains("IllegalStateException") || term.contains("\tat "), "no stack trace on the terminal: " + term);
        String file = Files.readString(data.resolve("log/pcm.log"));
        assertTrue(file.contains("ERROR pcm.test - the sampler failed"), file);
        assertTrue(file.contains("java.lang.IllegalStateException: windowTimeoutMillis=abc") && file.contains("\tat "), file);
        assertFalse(file.contains("not at the default level"), file);
    }
}
