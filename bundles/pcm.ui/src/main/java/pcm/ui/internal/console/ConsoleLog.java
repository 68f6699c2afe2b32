package pcm.ui.internal.console;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.core.api.vm.ConsoleListener;

/**
 * Writes everything the guest prints on its console to {@code <data>/log/console.log} (appended, in every mode), so the
 * console is never lost when nobody watches it (a resident PCM, a guest started through the API). Flushed per write:
 * the console is slow, a crash must not eat its last lines.
 */
@Component(service = ConsoleListener.class, immediate = true)
public class ConsoleLog implements ConsoleListener {

    private static final Logger LOG = LoggerFactory.getLogger(ConsoleLog.class);

    private final OutputStream out;

    @Activate
    public ConsoleLog(BundleContext context) {
        String dir = context.getProperty("pcm.log.dir");
        if (dir == null) dir = Path.of(context.getProperty("pcm.data") == null ? "." : context.getProperty("pcm.data"), "log").toString();
        OutputStream o = null;
        try {
            Path d = Files.createDirectories(Path.of(dir));
            o = Files.newOutputStream(d.resolve("console.log"), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException | RuntimeException e) {
            LOG.warn("the guest console is not kept in {}/console.log: {}", dir, e.toString());
        }
        this.out = o;
    }

    @Override
    public synchronized void output(byte[] bytes, int offset, int length) {
        if (out == null) return;
        try {
            out.write(bytes, offset, length);
            out.flush();
        } catch (IOException e) {
            // a full disk: the console goes on without its copy
        }
    }

    @Deactivate
    synchronized void close() {
        if (out == null) return;
        try {
            out.close();
        } catch (IOException ignored) {
            // nothing to do
        }
    }
}
