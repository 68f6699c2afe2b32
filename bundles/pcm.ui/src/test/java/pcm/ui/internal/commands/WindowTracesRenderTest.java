package pcm.ui.internal.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import pcm.core.api.sampling.WindowInfo;

/** pcm:windows shows the tracers armed for each window (issue 15 item 3), and no TRACES column when none was. */
class WindowTracesRenderTest {

    @Test
    void tracesColumnShowsRecordsBytesOverflowAndFailures() {
        WindowInfo traced = new WindowInfo("w1", "COMPLETE", "soft", 2000, Map.of(), 100, List.of(), List.of(
                new WindowInfo.TraceInfo("mtr", "MEMORY", "COMPLETE", 1234, 19744, 0, ""),
                new WindowInfo.TraceInfo("itr", "IO", "COMPLETE", 10, 200, 5, ""),
                new WindowInfo.TraceInfo("vendor", "IO", "FAILED", -1, 0, 0, "drain threw")));
        WindowInfo plain = new WindowInfo("w2", "COMPLETE", "kvm", 2000, Map.of(), 100, List.of());
        String out = WindowsCommand.render(List.of(traced, plain));
        assertTrue(out.contains("TRACES"), out);
        assertTrue(out.contains("mtr:1234r/19744B,itr:10r/200B+5-dropped,vendor:FAILED"), out);
        assertFalse(WindowsCommand.render(List.of(plain)).contains("TRACES"));
        assertEquals("itr: 10 records, 200 bytes, overflow 5 dropped", traced.traces().get(1).summary());
    }
}
