package pcm.ui.internal.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import pcm.core.api.vm.ExitKind;

class FormatTest {

    @Test
    void tableAlignsColumnsWithoutTrailingBlanks() {
        String s = new TextTable("ID", "NAME", "X").row(1, "pcm.core", "").row(22, "a", null).render("  ");
        assertEquals("""
              ID  NAME      X
              1   pcm.core
              22  a
            """, s);
    }

    @Test
    void tableRejectsWrongCellCount() {
        assertThrows(IllegalArgumentException.class, () -> new TextTable("A", "B").row(1));
    }

    @Test
    void valuesShowArraysAndCollections() {
        assertEquals("[PIO_IN, PIO_OUT]", Values.show(new String[] {"PIO_IN", "PIO_OUT"}));
        assertEquals("[1, 2]", Values.show(List.of(1, 2)));
        assertEquals("[3]", Values.show(new int[] {3}));
        assertEquals("a=1 b=[x]", Values.properties(Map.of("b", new String[] {"x"}, "a", 1)));
    }

    @Test
    void countersInEnumOrderSkippingZeros() {
        Map<ExitKind, Long> m = new EnumMap<>(ExitKind.class);
        m.put(ExitKind.HLT, 2L);
        m.put(ExitKind.PIO_IN, 5L);
        m.put(ExitKind.CPUID, 0L);
        assertEquals("PIO_IN=5, HLT=2", Values.counters(m));
        assertEquals(7, Values.total(m));
        assertEquals("none", Values.counters(Map.of()));
        assertEquals("none", Values.counters(null));
    }

    @Test
    void statusWithoutVmSaysSo() {
        StatusReport r = new StatusReport(
            new StatusReport.Framework("Apache Felix 7.0.5", "ACTIVE", 4, 27, 27, "/d", "/d/felix-cache"),
            List.of(new StatusReport.BundleRow(18, "pcm.core", "0.1.0", "ACTIVE")),
            List.of(new StatusReport.Backend("kvm", "pcm.vmx", true, "PVM", "KVM API 12 on PVM", null, null),
                    new StatusReport.Backend("soft", "pcm.vmx", false, "NONE", "software CPU", "not built yet", null),
                    new StatusReport.Backend("bad", "x", false, null, null, null, "java.lang.IllegalStateException: boom")),
            null, null);
        String s = r.render();
        assertTrue(s.contains("framework : Apache Felix 7.0.5, ACTIVE, start level 4, 27 bundles (27 active)"), s);
        assertTrue(s.contains("  18  pcm.core       0.1.0    ACTIVE"), s);
        assertTrue(s.contains("kvm   yes        PVM   pcm.vmx  KVM API 12 on PVM"), s);
        assertTrue(s.contains("software CPU -- not built yet"), s);
        assertTrue(s.contains("hostInfo() failed: java.lang.IllegalStateException: boom"), s);
        assertTrue(s.contains("VM:\n  no VM service"), s);
        assertTrue(s.contains("no ExitDispatcher service"), s);
    }

    @Test
    void statusWithVmAndDispatcher() {
        Map<ExitKind, Long> exits = new EnumMap<>(ExitKind.class);
        exits.put(ExitKind.PIO_OUT, 10L);
        Map<ExitKind, List<String>> handlers = new EnumMap<>(ExitKind.class);
        handlers.put(ExitKind.PIO_IN, List.of("pcm.devices#40"));
        handlers.put(ExitKind.HLT, List.of());
        StatusReport r = new StatusReport(
            new StatusReport.Framework("Apache Felix 7.0.5", "ACTIVE", 4, 1, 1, null, null), List.of(), List.of(),
            new StatusReport.VmInfo("RUNNING", "kvm (KVM on PVM)", 1, exits, null),
            new StatusReport.DispatcherInfo(exits, Map.of(), Map.of(ExitKind.PIO_IN, 1L), handlers));
        String s = r.render();
        assertTrue(s.contains("state   : RUNNING"), s);
        assertTrue(s.contains("exits   : 10 (PIO_OUT=10)"), s);
        assertTrue(s.contains("failures   : 1 (PIO_IN=1)"), s);
        assertTrue(s.contains("handlers PIO_IN : pcm.devices#40"), s);
        assertFalse(s.contains("handlers HLT"), s);
        assertTrue(s.contains("none installed"), s);
        assertTrue(s.contains("(pcm.data not set)"), s);
    }

    @Test
    void servicesSortedLikeTheDispatcherAndBookkeepingHidden() {
        ServicesReport r = new ServicesReport(List.of("ExitHandler", "EventSink"));
        Map<String, Object> p1 = new LinkedHashMap<>();
        p1.put("objectClass", new String[] {"pcm.core.api.exit.ExitHandler"});
        p1.put("service.id", 50L);
        p1.put("pcm.exit.kinds", new String[] {"PIO_IN"});
        r.add(new ServicesReport.Row("ExitHandler", 50, 0, "pcm.devices", 19, p1, ""));
        r.add(new ServicesReport.Row("ExitHandler", 61, 100, "pcm.itests.handler", 30, Map.of("pcm.exit.kinds", "PIO_IN"), ""));
        r.add(new ServicesReport.Row("ExitHandler", 49, 0, "pcm.core", 18, Map.of(), "dev ranges=[PIO[0x3f8-0x3ff]]"));
        String s = r.render();
        assertEquals(3, r.count());
        assertTrue(s.startsWith("PCM services: 3\n"), s);
        int i61 = s.indexOf("  61 "), i49 = s.indexOf("  49 "), i50 = s.indexOf("  50 ");
        assertTrue(i61 < i49 && i49 < i50, s);
        assertTrue(s.contains("pcm.itests.handler [30]"), s);
        assertTrue(s.contains("pcm.exit.kinds=[PIO_IN]"), s);
        assertFalse(s.contains("objectClass"), s);
        assertTrue(s.contains("dev ranges=[PIO[0x3f8-0x3ff]]"), s);
        assertTrue(s.contains("EventSink (0)\n  none\n"), s);
    }

    @Test
    void registersInArchitecturalOrder() {
        Map<String, Long> regs = new LinkedHashMap<>();
        regs.put("rip", 0x100000L);
        regs.put("rax", 1L);
        regs.put("cr3", 0x1000L);
        regs.put("rbx", 2L);
        String s = VmReport.registers(0, regs);
        assertEquals("""
            vcpu 0 registers:
              rax = 0x0000000000000001    rbx = 0x0000000000000002
              rip = 0x0000000000100000    cr3 = 0x0000000000001000
            """, s);
    }

    @Test
    void exitsByCountWithTotal() {
        Map<ExitKind, Long> m = new EnumMap<>(ExitKind.class);
        m.put(ExitKind.PIO_IN, 1L);
        m.put(ExitKind.PIO_OUT, 9L);
        String s = VmReport.exits(m);
        assertTrue(s.indexOf("PIO_OUT") < s.indexOf("PIO_IN"), s);
        assertTrue(s.endsWith("total: 10\n"), s);
        assertEquals("no exits\n", VmReport.exits(Map.of()));
    }
}
