package pcm.config.internal;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.service.log.LogService;
import org.osgi.service.log.Logger;

/**
 * The Log Service on SLF4J takes every form its users call — Felix Config Admin logs with a null service reference
 * (which once failed its start: the bridge read the level from the wrong argument).
 */
class OsgiLogBridgeTest {

    static LogService service() {
        Bundle configurator = ValidatingPluginTest.proxy(Bundle.class, m -> switch (m) {
            case "getSymbolicName" -> "org.apache.felix.configurator";
            case "getBundleId" -> 7L;
            default -> null;
        });
        return new OsgiLogBridge().getService(configurator, null);
    }

    @Test
    @SuppressWarnings("deprecation")
    void theR6MethodsLogWithOrWithoutAServiceReference() {
        LogService log = service();
        assertDoesNotThrow(() -> log.log(LogService.LOG_INFO, "applied"));
        assertDoesNotThrow(() -> log.log(LogService.LOG_ERROR, "Invalid JSON", new IllegalStateException("at line 1")));
        assertDoesNotThrow(() -> log.log((ServiceReference<?>) null, LogService.LOG_WARNING, "no reference", null));
        assertDoesNotThrow(() -> log.log((ServiceReference<?>) null, LogService.LOG_DEBUG, "debug"));
    }

    @Test
    void loggersAreSlf4jLoggersByName() {
        LogService log = service();
        Logger logger = log.getLogger("org.apache.felix.configurator.test");
        assertEquals("org.apache.felix.configurator.test", logger.getName());
        assertTrue(logger.isErrorEnabled(), "slf4j-simple logs errors");
        assertDoesNotThrow(() -> logger.info("configuration {} of {}", "pcm.vm", "acme.json"));
        assertDoesNotThrow(() -> logger.error("failed", new RuntimeException("x")));
        assertEquals(OsgiLogBridgeTest.class.getName(), log.getLogger(OsgiLogBridgeTest.class).getName());
    }
}
