package pcm.core.internal.vm;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Names a second pcm.core that the framework keeps from starting. pcm.core is a singleton bundle (bnd.bnd): while
 * this kernel is resolved, another version of it stays INSTALLED and none of its components activate (issue 11 item
 * 10: two kernels recorded the same windows). The framework says nothing about that on its own; the operator who
 * dropped the jar into deploy/ should learn why it does not start.
 */
@Component(immediate = true, service = {})
public final class KernelSingleton {

    private static final Logger LOG = LoggerFactory.getLogger(KernelSingleton.class);

    private final Set<Long> reported = ConcurrentHashMap.newKeySet();
    private BundleContext context;
    private final BundleListener listener = e -> {
        if (e.getType() == BundleEvent.INSTALLED || e.getType() == BundleEvent.UNRESOLVED) check(e.getBundle());
    };

    @Activate
    void activate(BundleContext context) {
        this.context = context;
        context.addBundleListener(listener);
        for (Bundle b : context.getBundles()) check(b);
    }

    @Deactivate
    void deactivate() {
        context.removeBundleListener(listener);
    }

    private void check(Bundle other) {
        Bundle self = context.getBundle();
        if (other.getBundleId() == self.getBundleId() || !self.getSymbolicName().equals(other.getSymbolicName())) return;
        if (other.getState() != Bundle.INSTALLED || !reported.add(other.getBundleId())) return;
        LOG.warn("a second kernel is not started: {} {} (bundle {}, {}) stays unresolved, pcm.core is a singleton and {} "
                + "(bundle {}) runs; to change kernels replace the running one instead of adding another",
                other.getSymbolicName(), other.getVersion(), other.getBundleId(), other.getLocation(), self.getVersion(),
                self.getBundleId());
    }
}
