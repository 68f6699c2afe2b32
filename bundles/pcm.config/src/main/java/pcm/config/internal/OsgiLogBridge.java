package pcm.config.internal;

import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceFactory;
import org.osgi.framework.ServiceReference;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.log.LogService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An OSGi {@link LogService} that writes to SLF4J (PCM's log: the terminal and {@code <data>/log/pcm.log}). Without
 * one, the OSGi Configurator prints every message, debug included, on standard output — the guest console of
 * {@code bin/pcm run}. One logger per bundle, named by its symbolic name; the Log Service's {@code {}} placeholders
 * are SLF4J's. Registered by the {@link Activator} at start level 1, ranked lowest (a real Log Service wins).
 */
final class OsgiLogBridge implements ServiceFactory<LogService> {

    @Override
    public LogService getService(Bundle bundle, ServiceRegistration<LogService> registration) {
        String name = bundle.getSymbolicName() == null ? "bundle." + bundle.getBundleId() : bundle.getSymbolicName();
        return (LogService) Proxy.newProxyInstance(LogService.class.getClassLoader(), new Class<?>[] {LogService.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "log" -> { logR6(name, method, args); yield null; }
                    case "getLogger" -> logger(loggerName(name, args), method.getReturnType());
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    case "toString" -> "PCM LogService (SLF4J) for " + name;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    @Override
    public void ungetService(Bundle bundle, ServiceRegistration<LogService> registration, LogService service) {}

    /** log([ServiceReference,] level, message[, Throwable]): levels 1 error .. 4 debug. */
    static void logR6(String name, Method method, Object[] args) {
        int i = method.getParameterTypes()[0] == ServiceReference.class ? 1 : 0;
        int level = args[i] instanceof Integer l ? l : LogService.LOG_INFO;
        String message = String.valueOf(args[i + 1]);
        Throwable t = args.length > i + 2 && args[i + 2] instanceof Throwable th ? th : null;
        Logger log = LoggerFactory.getLogger(name);
        switch (level) {
            case LogService.LOG_ERROR -> log.error(message, t);
            case LogService.LOG_WARNING -> log.warn(message, t);
            case LogService.LOG_INFO -> log.info(message, t);
            default -> log.debug(message, t);
        }
    }

    /** getLogger(name | Class [, loggerType]) or getLogger(Bundle, name, loggerType). */
    private static String loggerName(String bundleName, Object[] args) {
        Object first = args[0] instanceof Bundle ? args[1] : args[0];
        if (first instanceof Class<?> c) return c.getName();
        return first == null ? bundleName : String.valueOf(first);
    }

    /** An OSGi Logger (or FormatterLogger: its printf format is passed on as text) over an SLF4J logger. */
    private static Object logger(String name, Class<?> type) {
        Class<?> loggerType = type.isInterface() ? type : org.osgi.service.log.Logger.class;
        Logger log = LoggerFactory.getLogger(name);
        return Proxy.newProxyInstance(loggerType.getClassLoader(), new Class<?>[] {loggerType}, (proxy, m, a) -> call(log, name, m, a));
    }

    private static Object call(Logger log, String name, Method m, Object[] a) {
        String level = m.getName();
        return switch (level) {
            case "getName" -> name;
            case "isTraceEnabled" -> log.isTraceEnabled();
            case "isDebugEnabled" -> log.isDebugEnabled();
            case "isInfoEnabled" -> log.isInfoEnabled();
            case "isWarnEnabled" -> log.isWarnEnabled();
            case "isErrorEnabled" -> log.isErrorEnabled();
            case "trace", "debug", "info", "warn", "error", "audit" -> {
                if (a != null && a.length > 0 && a[0] instanceof String format) {
                    Object[] rest = new Object[a.length - 1];
                    System.arraycopy(a, 1, rest, 0, rest.length);
                    if (rest.length == 1 && rest[0] instanceof Object[] varargs) rest = varargs;
                    switch (level) {
                        case "trace" -> log.trace(format, rest);
                        case "debug" -> log.debug(format, rest);
                        case "info", "audit" -> log.info(format, rest);
                        case "warn" -> log.warn(format, rest);
                        default -> log.error(format, rest);
                    }
                }
                yield null; // the LoggerConsumer forms are not used by the runtime's bundles
            }
            case "hashCode" -> System.identityHashCode(log);
            case "equals" -> false;
            case "toString" -> "Logger " + name;
            default -> null;
        };
    }
}
