package pcm.core.internal.log;

import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.core.api.event.EventSink;
import pcm.core.api.event.PcmEvent;

/**
 * The binary window log as an {@link EventSink}: one append-only file per sampling window in the
 * data directory (docs/event-log-format.md), with retention. Hand-off: {@link #accept(PcmEvent)}
 * only enqueues; a writer thread does the I/O (see {@link WindowRecorder}).
 */
@Component(service = EventSink.class, configurationPid = EventLogSink.PID, property = "pcm.sink=eventlog")
@Designate(ocd = EventLogSink.Config.class)
public final class EventLogSink implements EventSink {

    public static final String PID = "pcm.eventlog";
    private static final Logger LOG = LoggerFactory.getLogger(EventLogSink.class);
    private static final Pattern VAR = Pattern.compile("\\$\\{([^}]+)}");

    @ObjectClassDefinition(name = "PCM event log", description = "Binary log of every sampling window's events, one file per window.")
    public @interface Config {

        @AttributeDefinition(name = "Directory", description = "Where window logs are written; ${name} is replaced by "
                + "the framework property (pcm.data defaults to ./pcm-data). Changes apply from the next window.")
        String directory() default "${pcm.data}/windows";

        @AttributeDefinition(name = "Keep at most (windows)", description = "Oldest windows beyond this count are deleted; 0 = no limit.", min = "0")
        int maxWindows() default 1000;

        @AttributeDefinition(name = "Keep at most (bytes)", description = "Oldest windows are deleted while all together exceed this; 0 = no limit.", min = "0")
        long maxBytes() default 1L << 30;

        @AttributeDefinition(name = "Keep at most (days)", description = "Windows older than this are deleted; 0 = no limit.", min = "0")
        int maxAgeDays() default 30;

        @AttributeDefinition(name = "Queue (events)", description = "Events that may wait for the writer; beyond it events are dropped and "
                + "their window fails. Applies at restart of the component.", min = "16")
        int queueCapacity() default 1 << 16;

        @AttributeDefinition(name = "Queue (MiB)", description = "Event data that may wait for the writer.", min = "1")
        int queueMiB() default 64;
    }

    private volatile WindowRecorder recorder;
    private BundleContext context;

    @Activate
    void activate(BundleContext context, Config config) {
        this.context = context;
        WindowRecorder.Settings s = settings(config);
        recorder = new WindowRecorder(s, config.queueCapacity());
        LOG.info("event log writes windows to {}", s.directory());
    }

    @Modified
    void modified(Config config) {
        WindowRecorder r = recorder;
        if (r == null) return;
        WindowRecorder.Settings s = settings(config);
        r.update(s);
        LOG.info("event log configuration changed: directory {}, retention {}", s.directory(), s.retention());
    }

    @Deactivate
    void deactivate() {
        WindowRecorder r = recorder;
        recorder = null;
        if (r != null) r.close();
    }

    @Override
    public void accept(PcmEvent event) {
        WindowRecorder r = recorder;
        if (r != null) r.accept(event);
    }

    /** Counters for the shell. */
    public WindowRecorder.Status status() {
        WindowRecorder r = recorder;
        return r == null ? null : r.status();
    }

    /** The directory windows currently go to. */
    public Path directory() {
        WindowRecorder r = recorder;
        return r == null ? null : r.settings().directory();
    }

    private WindowRecorder.Settings settings(Config c) {
        Path dir = Path.of(expand(c.directory(), context)).toAbsolutePath().normalize();
        Retention ret = new Retention(Math.max(0, c.maxWindows()), Math.max(0, c.maxBytes()),
                Duration.ofDays(Math.max(0, c.maxAgeDays())));
        return new WindowRecorder.Settings(dir, ret, Math.max(1, c.queueMiB()) * (1L << 20));
    }

    /** Replaces {@code ${name}} by the framework property; {@code pcm.data} defaults to {@code ./pcm-data}. */
    static String expand(String s, BundleContext ctx) {
        Matcher m = VAR.matcher(s == null || s.isBlank() ? "${pcm.data}/windows" : s);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String name = m.group(1);
            String v = ctx == null ? System.getProperty(name) : ctx.getProperty(name);
            if (v == null && name.equals("pcm.data")) v = "./pcm-data";
            m.appendReplacement(sb, Matcher.quoteReplacement(v == null ? m.group() : v));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
