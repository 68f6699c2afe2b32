package pcm.core.internal.dispatch;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import org.osgi.framework.Constants;

import pcm.core.api.exit.ExitHandler;
import pcm.core.api.vm.ExitKind;

/** Reads the whiteboard properties of an {@link ExitHandler} service. */
final class HandlerProperties {

    private HandlerProperties() {}

    static int ranking(Map<String, ?> props) {
        return props.get(Constants.SERVICE_RANKING) instanceof Integer i ? i : 0;
    }

    static long serviceId(Map<String, ?> props) {
        return props.get(Constants.SERVICE_ID) instanceof Long l ? l : -1L;
    }

    /**
     * The kinds a handler registered for.
     *
     * @throws IllegalArgumentException naming the unknown kind
     */
    static Set<ExitKind> kinds(Map<String, ?> props) {
        Object raw = props.get(ExitHandler.EXIT_KINDS);
        Set<ExitKind> kinds = EnumSet.noneOf(ExitKind.class);
        Iterable<?> values = switch (raw) {
            case null -> java.util.List.of();
            case String s -> java.util.Arrays.asList(s.split("\\s*,\\s*"));
            case String[] a -> java.util.Arrays.asList(a);
            case Iterable<?> it -> it;
            default -> throw new IllegalArgumentException(ExitHandler.EXIT_KINDS + " must be String or String[], not " + raw.getClass().getName());
        };
        for (Object v : values) {
            String name = String.valueOf(v).trim();
            if (name.isEmpty()) continue;
            try {
                kinds.add(ExitKind.valueOf(name));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown exit kind '" + name + "' in " + ExitHandler.EXIT_KINDS, e);
            }
        }
        return kinds;
    }

    /** "bundle.symbolic.name version #serviceId" where the framework tells, else the handler's class and id: for reports. */
    static String label(ExitHandler handler, Map<String, ?> props) {
        Object bsn = props.get(WhiteboardExitDispatcher.BUNDLE_NAME);
        Object version = props.get(WhiteboardExitDispatcher.BUNDLE_VERSION);
        long id = serviceId(props);
        String owner = bsn != null ? bsn + (version != null ? " " + version : "") : handler.getClass().getName();
        return id >= 0 ? owner + " #" + id : owner;
    }

    /** "bundle.symbolic.name#serviceId" where the framework tells, else the handler's class. */
    static String name(ExitHandler handler, Map<String, ?> props) {
        Object bsn = props.get(WhiteboardExitDispatcher.BUNDLE_NAME);
        long id = serviceId(props);
        String owner = bsn != null ? bsn.toString() : handler.getClass().getName();
        return id >= 0 ? owner + "#" + id : owner;
    }
}
