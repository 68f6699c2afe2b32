package pcm.core.internal.vm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;

import org.junit.jupiter.api.Test;

import pcm.core.api.exit.ExitDispatcher.Dispatch;
import pcm.core.api.exit.ExitResult;
import pcm.core.api.vm.ExitKind;

/** The run summary's "answered by a fallback" figures (issue 11 item 7). */
class ExitCountersTest {

    @Test
    void exitsAnsweredByAFallbackAreCountedByKindAndByThePluginThatFailedThem() {
        ExitCounters c = new ExitCounters();
        c.dispatched(ExitKind.PIO_IN, new Dispatch(ExitResult.value(0xFF), "default", "vendor.bad 1.0.0 #42"));
        c.dispatched(ExitKind.PIO_IN, new Dispatch(ExitResult.value(7), "pcm.core#3", "vendor.bad 1.0.0 #42"));
        c.dispatched(ExitKind.MMIO_READ, new Dispatch(ExitResult.value(0), "default", "vendor.slow 2.0.0 #43"));
        c.dispatched(ExitKind.PIO_IN, new Dispatch(ExitResult.value(1), "pcm.core#3")); // answered as asked: not counted
        assertEquals(Map.of(ExitKind.PIO_IN, 2L, ExitKind.MMIO_READ, 1L), c.fallbackSnapshot());
        assertEquals(Map.of("vendor.bad 1.0.0 #42", 2L, "vendor.slow 2.0.0 #43", 1L), c.fallbacksByPlugin());
    }
}
