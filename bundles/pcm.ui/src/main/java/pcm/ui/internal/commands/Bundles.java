package pcm.ui.internal.commands;

import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;

/** Small helpers for reading the framework. */
public final class Bundles {

    private Bundles() {}

    public static String state(Bundle b) {
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

    /** What a command does with a service it has looked up. */
    @FunctionalInterface
    interface ServiceFunction<S, R, E extends Exception> {
        R apply(S service) throws E;
    }

    /**
     * Looks up the service of that type, applies {@code f} to it and releases it again (so the framework's use
     * count does not climb with every command); no such service is a {@link CommandFailure} with {@code missing}.
     */
    static <S, R, E extends Exception> R withService(BundleContext context, Class<S> type, String missing,
                                                     ServiceFunction<S, R, E> f) throws E {
        ServiceReference<S> ref = context.getServiceReference(type);
        S service = ref == null ? null : context.getService(ref);
        if (service == null) throw new CommandFailure(missing);
        try {
            return f.apply(service);
        } finally {
            context.ungetService(ref);
        }
    }
}
