package pcm.ui.internal.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;

import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;
import pcm.core.api.sampling.RcpCommand;
import pcm.core.api.sampling.Sampler;
import pcm.core.api.sampling.SamplingException;
import pcm.core.api.sampling.SamplingState;
import pcm.core.api.sampling.SamplingTransition;
import pcm.core.api.sampling.WindowInfo;
import pcm.core.api.sampling.WindowLogs;
import pcm.core.api.verify.Window;
import pcm.ui.internal.status.ExitStatus;
import pcm.ui.internal.status.Report;

class SamplingCommandsTest {

    static final class FakeSampler implements Sampler {
        SamplingState state = SamplingState.IDLE;
        boolean periodic;
        final List<SamplingTransition> ts = new ArrayList<>();
        long lastInsns = -1;

        public SamplingState state() { return state; }

        public void command(RcpCommand c) throws SamplingException {
            if (c != RcpCommand.MTA0_MNTR_ENTRY || state != SamplingState.IDLE) {
                throw new SamplingException(c + " does not fit state " + state);
            }
            ts.add(new SamplingTransition(0, state, SamplingState.ENTRY, c.name(), "window w7"));
            state = SamplingState.ENTRY;
        }

        public String sampleNow(long insns, long timeout) {
            lastInsns = insns;
            return "w7";
        }

        public void startPeriodic(String id) throws SamplingException {
            if (id != null && !id.equals("periodic")) throw new SamplingException("no sampling policy '" + id + "'");
            periodic = true;
        }

        public void stopPeriodic() { periodic = false; }

        public boolean periodicRunning() { return periodic; }

        public List<WindowInfo> windows() {
            Map<EventKind, Long> m = new EnumMap<>(EventKind.class);
            m.put(EventKind.PIO_IN, 3L);
            m.put(EventKind.RDTSC, 2L);
            m.put(EventKind.END, 1L);
            return List.of(new WindowInfo("w7", "COMPLETE", "soft", 1000, m, 4242, List.of()));
        }

        public Optional<Window> window(String id) { return Optional.empty(); }

        @Override
        public Optional<String> currentWindow() { return state == SamplingState.IDLE ? Optional.empty() : Optional.of("w7"); }

        @Override
        public List<SamplingTransition> recentTransitions() { return ts; }
    }

    @Test
    void sample() throws Exception {
        FakeSampler s = new FakeSampler();
        assertEquals("sampling IDLE, periodic off", SampleCommand.apply(s, "status", null, 0, 0));
        assertTrue(SampleCommand.apply(s, "now", null, 5000, 0).startsWith("window w7 recorded: COMPLETE, 1000 instructions"));
        assertEquals(5000, s.lastInsns);
        SampleCommand.apply(s, "now", "1_000", 0, 0);
        assertEquals(1000, s.lastInsns);
        assertEquals("periodic sampling started (default policy)", SampleCommand.apply(s, "start", null, 0, 0));
        assertEquals("periodic sampling stopped", SampleCommand.apply(s, "stop", null, 0, 0));
        assertThrows(SamplingException.class, () -> SampleCommand.apply(s, "start", "nightly", 0, 0));
        assertEquals("MTA0_MNTR_ENTRY -> ENTRY (window w7)", SampleCommand.apply(s, "command", "mta0_mntr_entry", 0, 0));
        String st = SampleCommand.apply(s, "status", null, 0, 0);
        assertTrue(st.startsWith("sampling ENTRY, window w7, periodic off\nrecent transitions (UTC):"), st);
        assertTrue(st.contains("IDLE     -> ENTRY     MTA0_MNTR_ENTRY   window w7"), st);
        assertThrows(SamplingException.class, () -> SampleCommand.apply(s, "command", "MTA0_CHK_END", 0, 0));
        CommandFailure f = assertThrows(CommandFailure.class, () -> SampleCommand.apply(s, "command", "MTA0_NOPE", 0, 0));
        assertTrue(f.getMessage().startsWith("unknown RCP command 'MTA0_NOPE'"));
        assertThrows(CommandFailure.class, () -> SampleCommand.apply(s, "dance", null, 0, 0));
    }

    @Test
    void windows() {
        String out = WindowsCommand.render(new FakeSampler().windows());
        assertTrue(out.contains("WINDOW"), out);
        assertTrue(out.contains("w7"), out);
        assertTrue(out.contains("rdtsc=2,pio_in=3"), out);
        assertTrue(out.endsWith("1 window(s)"), out);
        assertEquals("no windows", WindowsCommand.render(List.of()));
    }

    @Test
    void log() throws Exception {
        WindowLogs logs = new WindowLogs() {
            final LogStatus ok = new LogStatus("w7", "t_w7_events.pcmlog", "VALID", "soft", 2, Map.of(), 200, null);

            public String directory() { return "/data/windows"; }
            public List<LogStatus> checkAll() {
                return List.of(ok, new LogStatus("w8", "t_w8_events.pcmlog.part", "TORN", "soft", 1, Map.of(), 90, "no END trailer"));
            }
            public LogStatus check(String w) { return ok; }
            public LogStatus read(String w, Consumer<PcmEvent> v) {
                v.accept(new PcmEvent(EventKind.PIO_IN, 0, 10, 0x100b, 11, 0x60, 0x42, new byte[] {1}, 0));
                v.accept(new PcmEvent(EventKind.END, 0, 50, 0x1033, 51, 0, 50, "length reached".getBytes(), 0));
                return ok;
            }
            public LogStatus exportJson(String w, Appendable out) throws IOException {
                out.append("{\"file\":\"t_w7_events.pcmlog\"}\n");
                return ok;
            }
        };
        Report check = LogCommand.apply(logs, "check", null);
        String all = check.text();
        assertTrue(all.endsWith("2 log(s), 1 not valid"), all);
        assertTrue(all.contains("TORN t_w8_events.pcmlog.part window=w8 backend=soft events=1 bytes=90 problem: no END trailer"), all);
        // issue 11 item 6: a TORN log among them is damaged data, not exit status 0
        assertEquals(ExitStatus.DAMAGED, check.status());
        assertEquals(ExitStatus.OK, LogCommand.apply(logs, "check", "w7").status());
        String show = LogCommand.apply(logs, "show", "w7").text();
        assertTrue(show.contains("10 PIO_IN     rip=0x100b rcx=0xb addr=0x60 value=0x42 data=1B"), show);
        assertTrue(show.contains("END        rip=0x1033 rcx=0x33 addr=0x0 value=0x32 \"length reached\""), show);
        assertEquals("{\"file\":\"t_w7_events.pcmlog\"}", LogCommand.apply(logs, "export-json", "w7").text());
        assertThrows(CommandFailure.class, () -> LogCommand.apply(logs, "show", null));
    }
}
