package pcm.ui.internal.commands;

import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;

/** Small helpers for reading the framework. */
final class Bundles {

    private Bundles() {}

    static String state(Bundle b) {
        return switch (b.getState()) {
            case Bundle.UNINSTALLED -> "UNINSTALLED";
            case Bundle.INSTALLED -> "INSTALLED";
            case Bundle.RESOLVED -> "RESOLVED";
            case Bundle.STARTING -> "STARTING";
            case Bundle.STOPPING -> "STOPPING";
            case Bundle.ACTIVE -> "ACTIVE";
            default -> "state " + b.getState();
        };
    }

    static String name(Bundle b) {
        return b == null ? "(unregistered)" : b.getSymbolicName();
    }

    static int ranking(ServiceReference<?> ref) {
        return ref.getProperty("service.ranking") instanceof Integer i ? i : 0;
    }

    static long serviceId(ServiceReference<?> ref) {
        return ref.getProperty("service.id") instanceof Long l ? l : -1;
    }
}
