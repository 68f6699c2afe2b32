package pcm.ui.internal.logging;

import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;

import org.apache.felix.service.command.Descriptor;
import org.apache.felix.service.command.Parameter;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.slf4j.LoggerFactory;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.filter.ThresholdFilter;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.filter.Filter;
import pcm.ui.internal.commands.CommandFailure;
import pcm.ui.internal.commands.PcmCommand;

/**
 * What {@code log:tail} and {@code log:set} share: they read and change the runtime's logging while it runs. The runtime logs through
 * SLF4J to logback (pcm.logging's logback.xml: TERMINAL and FILE appenders, each with a threshold); logback is kept
 * because it already is the runtime's backend, changes levels at run time through its own API, and writes the file
 * with rolling; a log service with a reader (Felix Log, Pax Logging) would add a second path for the same lines.
 */
public final class LogCommands {

    private LogCommands() { }

    static final String USAGE_SET = "usage: log:set <logger|ROOT> <TRACE|DEBUG|INFO|WARN|ERROR|OFF> | log:set --terminal <level>";
    private static final List<String> LEVELS = List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR", "OFF");

    static Level level(String name) {
        String n = name.toUpperCase(Locale.ROOT);
        if (!LEVELS.contains(n)) throw CommandFailure.usage("no level '" + name + "'. " + USAGE_SET);
        return Level.toLevel(n);
    }

    static LoggerContext loggerContext() {
        if (LoggerFactory.getILoggerFactory() instanceof LoggerContext c) return c;
        throw new CommandFailure("the runtime does not log through logback (" + LoggerFactory.getILoggerFactory().getClass().getName() + ")");
    }

    static boolean lowerThreshold(LoggerContext ctx, String appender, Level l) {
        ThresholdFilter t = threshold(ctx, appender);
        if (t == null || l == Level.OFF) return false;
        Level current = thresholdLevel(t);
        if (current.equals(l) || !current.isGreaterOrEqual(l)) return false;
        t.setLevel(l.toString());
        return true;
    }

    static boolean setThreshold(LoggerContext ctx, String appender, Level l) {
        ThresholdFilter t = threshold(ctx, appender);
        if (t == null) return false;
        t.setLevel(l.toString());
        return true;
    }

    /** logback's ThresholdFilter has a setter but no getter: the level is read back from its decision. */
    private static Level thresholdLevel(ThresholdFilter t) {
        for (String n : List.of("TRACE", "DEBUG", "INFO", "WARN", "ERROR")) {
            ch.qos.logback.classic.spi.LoggingEvent e = new ch.qos.logback.classic.spi.LoggingEvent();
            e.setLevel(Level.toLevel(n));
            if (t.decide(e) != ch.qos.logback.core.spi.FilterReply.DENY) return Level.toLevel(n);
        }
        return Level.OFF;
    }

    private static ThresholdFilter threshold(LoggerContext ctx, String appenderName) {
        Appender<ch.qos.logback.classic.spi.ILoggingEvent> a = ctx.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).getAppender(appenderName);
        if (a == null) return null;
        for (Filter<ch.qos.logback.classic.spi.ILoggingEvent> f : a.getCopyOfAttachedFiltersList())
            if (f instanceof ThresholdFilter t) return t;
        return null;
    }

    static Path logDirectory(BundleContext context) {
        String dir = context.getProperty("pcm.log.dir");
        if (dir == null) dir = Path.of(context.getProperty("pcm.data") == null ? "." : context.getProperty("pcm.data"), "log").toString();
        return Path.of(dir).toAbsolutePath().normalize();
    }

    /** The last {@code n} lines of the file (read through once; logs roll at 10 MB). */
    static List<String> lastLines(Path f, int n) throws IOException {
        Deque<String> last = new ArrayDeque<>();
        if (n == 0) return List.of();
        try (var lines = Files.lines(f, StandardCharsets.UTF_8)) {
            for (Iterator<String> it = lines.iterator(); it.hasNext(); ) {
                last.addLast(it.next());
                if (last.size() > n) last.removeFirst();
            }
        }
        return List.copyOf(last);
    }
}
