package pcm.itests.late;

import java.io.IOException;
import java.util.Hashtable;

import org.osgi.framework.BundleContext;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * Stands for the KVM backend's probe on a slow host (issue 12 item 4: ~10x slower under QEMU TCG): its activation
 * takes {@value #MILLIS_PROPERTY} ms (default {@value #DEFAULT_MILLIS}), then it configures {@link LateHypervisor},
 * which SCR activates when Config Admin tells it (asynchronously). No service event happens in between, so a runner
 * that waits for "quiet" runs its command before the backend exists.
 */
@Component(immediate = true)
public class SlowProbe {

    public static final String MILLIS_PROPERTY = "pcm.itests.late.millis";
    static final long DEFAULT_MILLIS = 4000;

    @Activate
    public SlowProbe(BundleContext context, @Reference ConfigurationAdmin cm) throws IOException, InterruptedException {
        String p = context.getProperty(MILLIS_PROPERTY);
        Thread.sleep(p == null ? DEFAULT_MILLIS : Long.parseLong(p.strip()));
        Configuration c = cm.getConfiguration(LateHypervisor.PID, "?");
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("probed", Boolean.TRUE);
        c.update(props);
    }
}
