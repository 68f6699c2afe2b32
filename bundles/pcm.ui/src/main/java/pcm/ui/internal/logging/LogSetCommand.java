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

/** {@code log:set}: the level of a logger, or of the terminal, while the runtime runs (see {@link LogCommands}). */
@Component(service = LogSetCommand.class, property = {"osgi.command.scope=log", "osgi.command.function=set"})
public class LogSetCommand extends PcmCommand {

    private final BundleContext context;

    @Activate
    public LogSetCommand(BundleContext context) {
        this.context = context;
    }

    @Override
    protected String function() {
        return "set";
    }

    @Override
    protected String usage() {
        return LogCommands.USAGE_SET;
    }

    @Descriptor("set the level of a logger (ROOT for all); the log file then takes that level too")
    public String set(@Descriptor("logger name, e.g. pcm.core or ROOT") String logger, @Descriptor("TRACE|DEBUG|INFO|WARN|ERROR|OFF") String level) {
        Level l = LogCommands.level(level);
        LoggerContext ctx = LogCommands.loggerContext();
        Logger target = ctx.getLogger(logger.equalsIgnoreCase("ROOT") ? org.slf4j.Logger.ROOT_LOGGER_NAME : logger);
        Level before = target.getLevel();
        target.setLevel(l);
        // a level below the file's threshold would change nothing visible: the file takes it too
        String file = LogCommands.lowerThreshold(ctx, "FILE", l) ? "; " + LogCommands.logDirectory(context).resolve("pcm.log") + " now takes " + l + " too" : "";
        return "logger " + target.getName() + ": " + (before == null ? "inherited (" + target.getEffectiveLevel() + ")" : before)
                + " -> " + l + file;
    }

    @Descriptor("set what reaches the terminal (stderr): --terminal <level>")
    public String set(@Descriptor("--terminal") @Parameter(names = {"--terminal"}, absentValue = "") String terminal) {
        if (terminal.isEmpty()) throw CommandFailure.usage("missing arguments. " + LogCommands.USAGE_SET);
        Level l = LogCommands.level(terminal);
        if (!LogCommands.setThreshold(LogCommands.loggerContext(), "TERMINAL", l)) throw new CommandFailure("no TERMINAL appender in the logback configuration");
        return "terminal log: " + l + " and up";
    }

}
