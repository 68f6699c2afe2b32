package pcm.ui.internal.firmware;

import java.util.Collection;

import org.osgi.framework.Bundle;

/** Why changing these bundles (an update's refresh closure) would stop the running guest, or null when it would not. */
@FunctionalInterface
interface GuestGuard {
    String refusal(Collection<Bundle> affected);
}
