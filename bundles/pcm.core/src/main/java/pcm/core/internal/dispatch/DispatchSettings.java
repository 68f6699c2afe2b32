package pcm.core.internal.dispatch;

import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/** {@link DispatchConfig} in nanoseconds, checked. */
record DispatchSettings(long budgetNanos, long hardLimitNanos, long unregisterWaitNanos, long reportPeriodNanos,
                        Set<String> directBundles) {

    static final DispatchSettings DEFAULTS = new DispatchSettings(ms(50), ms(2000), ms(5000), ms(10_000),
            Set.of("pcm.core", "pcm.softcpu", "pcm.vmx", "pcm.devices", "pcm.irq"));

    DispatchSettings {
        if (budgetNanos <= 0) throw new IllegalArgumentException("budgetMillis must be at least 1, not " + millis(budgetNanos));
        if (hardLimitNanos < budgetNanos)
            throw new IllegalArgumentException("hardLimitMillis (" + millis(hardLimitNanos) + ") must be at least budgetMillis ("
                    + millis(budgetNanos) + ")");
        if (unregisterWaitNanos < 0) throw new IllegalArgumentException("unregisterWaitMillis must not be negative");
        if (reportPeriodNanos <= 0) throw new IllegalArgumentException("reportPeriodMillis must be at least 1");
        directBundles = Set.copyOf(directBundles);
    }

    static DispatchSettings of(DispatchConfig c) {
        Set<String> direct = c.directBundles() == null ? Set.of() : Arrays.stream(c.directBundles())
                .map(String::trim).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
        return new DispatchSettings(ms(c.budgetMillis()), ms(c.hardLimitMillis()), ms(c.unregisterWaitMillis()),
                ms(c.reportPeriodMillis()), direct);
    }

    static long ms(long millis) {
        return TimeUnit.MILLISECONDS.toNanos(millis);
    }

    static long millis(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
