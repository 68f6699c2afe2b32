package pcm.core.internal.dispatch;

import org.slf4j.Logger;

/** Where the dispatcher's reports about handlers go: SLF4J, or a recorder in tests. */
interface DispatchLog {

    /** @param cause logged with its stack trace; null for none */
    void warn(String message, Throwable cause);

    void info(String message);

    static DispatchLog of(Logger log) {
        return new DispatchLog() {
            @Override
            public void warn(String message, Throwable cause) {
                if (cause == null) log.warn(message);
                else log.warn(message, cause);
            }

            @Override
            public void info(String message) {
                log.info(message);
            }
        };
    }
}
