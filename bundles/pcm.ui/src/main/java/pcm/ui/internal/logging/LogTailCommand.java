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

/** {@code log:tail}: the last lines of the runtime log (or the console log); {@code --follow} until Ctrl-C. */
@Component(service = LogTailCommand.class, property = {"osgi.command.scope=log", "osgi.command.function=tail"})
public class LogTailCommand extends PcmCommand {

    private final BundleContext context;

    @Activate
    public LogTailCommand(BundleContext context) {
        this.context = context;
    }

    @Override
    protected String function() {
        return "tail";
    }

    @Override
    protected String usage() {
        return "usage: log:tail [-n N] [--follow] [--file pcm.log|console.log]";
    }

    @Descriptor("the last lines of the log (<data>/log/pcm.log, or another file there: console.log); --follow until Ctrl-C")
    public void tail(
            @Descriptor("number of lines") @Parameter(names = {"-n", "--lines"}, absentValue = "40") int lines,
            @Descriptor("keep printing new lines until Ctrl-C") @Parameter(names = {"-f", "--follow"}, presentValue = "true", absentValue = "false") boolean follow,
            @Descriptor("file name under <data>/log (default pcm.log)") @Parameter(names = {"--file"}, absentValue = "pcm.log") String file)
            throws IOException, InterruptedException {
        if (lines < 0) throw CommandFailure.usage("-n " + lines + ": at least 0 lines. usage: log:tail [-n N] [--follow] [--file name]");
        Path dir = logDirectory();
        Path f = dir.resolve(file).normalize();
        if (!f.startsWith(dir)) throw CommandFailure.usage("--file " + file + ": a file under " + dir);
        if (!Files.isRegularFile(f)) throw new CommandFailure("no log file " + f);
        PrintStream out = System.out;
        lastLines(f, lines).forEach(out::println);
        if (!follow) return;
        long pos = Files.size(f);
        while (!Thread.currentThread().isInterrupted()) {
            long size = Files.size(f);
            if (size < pos) pos = 0; // rolled over
            if (size > pos) {
                try (RandomAccessFile r = new RandomAccessFile(f.toFile(), "r")) {
                    r.seek(pos);
                    byte[] b = new byte[(int) Math.min(size - pos, 1 << 20)];
                    r.readFully(b);
                    out.print(new String(b, StandardCharsets.UTF_8));
                    out.flush();
                    pos += b.length;
                }
            }
            Thread.sleep(200); // Ctrl-C interrupts here
        }
    }

    private Path logDirectory() {
        return LogCommands.logDirectory(context);
    }

    static List<String> lastLines(Path f, int n) throws IOException {
        return LogCommands.lastLines(f, n);
    }
}
