package pcm.softcpu.internal.replay;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import pcm.core.api.cpu.BackendException;
import pcm.core.api.cpu.Registers;
import pcm.core.api.cpu.Segment;
import pcm.core.api.cpu.SpecialRegisters;
import pcm.core.api.verify.Snapshot;
import pcm.softcpu.internal.SoftVcpu;

/** Compares the replay's state at END with the recorded final snapshot. */
final class FinalState {

    private FinalState() { }

    enum Kind { REG, MSR, MEM, OTHER }

    /**
     * One differing location. REG: key = {@link Registers} index; MSR: key = index; MEM: key = GPA of one
     * byte; OTHER (segments, control registers, FPU): not traceable step by step. {@code replay}: the
     * location's value at the replay's END.
     */
    record Diff(Kind kind, long key, long replay, String text) {

        /** The location's current value in {@code r} (REG/MSR/MEM only). */
        long read(Replay r) {
            SoftVcpu v = r.vcpu;
            return switch (kind) {
                case REG -> key < 16 ? v.gpr((int) key) : key == 16 ? v.rip() : v.rflags();
                case MSR -> {
                    try {
                        yield v.readMsr((int) key);
                    } catch (BackendException e) {
                        yield 0;
                    }
                }
                case MEM -> r.ram.get(ValueLayout.JAVA_BYTE, key) & 0xFF;
                case OTHER -> 0;
            };
        }
    }

    /** Result: the differences (traceable ones first per page) and the lines for the verdict. */
    record Result(List<Diff> diffs, List<String> lines) {
        boolean matches() { return diffs.isEmpty(); }
    }

    static final int MAX_PAGES_LISTED = 16, BYTES_PER_PAGE = 8, MAX_PAGES_TRACED = 256;

    static Result compare(Replay r, Snapshot end) {
        List<Diff> diffs = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        SoftVcpu v = r.vcpu;
        long[] now = v.registers().toArray();
        long[] rec = end.registers().toArray();
        for (int i = 0; i < 18; i++) {
            if (now[i] != rec[i]) {
                String t = Registers.NAMES[i] + ": replay 0x" + Long.toHexString(now[i]) + " != recorded 0x" + Long.toHexString(rec[i]);
                diffs.add(new Diff(Kind.REG, i, now[i], t));
                lines.add(t);
            }
        }
        other(diffs, lines, v.specialRegisters(), end.specialRegisters());
        if (end.msrs() != null) {
            for (Map.Entry<Integer, Long> m : new java.util.TreeMap<>(end.msrs()).entrySet()) {
                if (m.getValue() == null || !v.holdsMsr(m.getKey())) continue;
                long have;
                try {
                    have = v.readMsr(m.getKey());
                } catch (BackendException e) {
                    continue;
                }
                if (have != m.getValue()) {
                    String t = "msr 0x" + Integer.toHexString(m.getKey()) + ": replay 0x" + Long.toHexString(have)
                            + " != recorded 0x" + Long.toHexString(m.getValue());
                    diffs.add(new Diff(Kind.MSR, m.getKey(), have, t));
                    lines.add(t);
                }
            }
        }
        if (end.fpu() != null && end.fpu().length == 512) {
            byte[] f = v.fpuState();
            int at = java.util.Arrays.mismatch(f, end.fpu());
            if (at >= 0) {
                String t = "fpu: FXSAVE image differs from byte " + at;
                diffs.add(new Diff(Kind.OTHER, at, 0, t));
                lines.add(t);
            }
        }
        memory(r, end, diffs, lines);
        return new Result(diffs, lines);
    }

    private static void memory(Replay r, Snapshot end, List<Diff> diffs, List<String> lines) {
        MemorySegment ram = r.ram;
        long size = ram.byteSize();
        byte[] buf = new byte[1 << 20];
        MemorySegment bs = MemorySegment.ofArray(buf);
        int pages = 0;
        for (long at = 0; at < size; at += buf.length) {
            int n = (int) Math.min(buf.length, size - at);
            try {
                end.memory().read(at, buf, 0, n);
            } catch (RuntimeException e) {
                String t = "final memory image cannot be read at 0x" + Long.toHexString(at) + ": " + e.getMessage();
                diffs.add(new Diff(Kind.OTHER, at, 0, t));
                lines.add(t);
                return;
            }
            long from = 0;
            while (from < n) {
                long m = MemorySegment.mismatch(ram, at + from, at + n, bs, from, n);
                if (m < 0) break;
                long off = from + m;
                long pageOff = off & ~0xFFFL;
                long pageEnd = Math.min(pageOff + 4096, n);
                int count = 0;
                long first = -1;
                for (long o = off; o < pageEnd; o++) {
                    int a = ram.get(ValueLayout.JAVA_BYTE, at + o) & 0xFF, b = buf[(int) o] & 0xFF;
                    if (a == b) continue;
                    if (first < 0) first = o;
                    if (count < BYTES_PER_PAGE && pages < MAX_PAGES_TRACED) {
                        diffs.add(new Diff(Kind.MEM, at + o, a, "byte 0x" + Long.toHexString(at + o)));
                    }
                    count++;
                }
                if (pages < MAX_PAGES_LISTED) {
                    long gpa = at + first;
                    lines.add("page 0x" + Long.toHexString(at + pageOff) + " offset 0x" + Long.toHexString(first - pageOff)
                            + ": replay 0x" + Integer.toHexString(ram.get(ValueLayout.JAVA_BYTE, gpa) & 0xFF)
                            + " != recorded 0x" + Integer.toHexString(buf[(int) first] & 0xFF) + " (" + count + " bytes differ)");
                }
                pages++;
                from = pageOff + 4096;
            }
        }
        if (pages > MAX_PAGES_LISTED) lines.add((pages - MAX_PAGES_LISTED) + " more pages differ");
    }

    private static void other(List<Diff> diffs, List<String> lines, SpecialRegisters a, SpecialRegisters b) {
        List<String> t = new ArrayList<>();
        seg(t, "cs", a.cs(), b.cs(), true);
        seg(t, "ss", a.ss(), b.ss(), true);
        seg(t, "ds", a.ds(), b.ds(), false);
        seg(t, "es", a.es(), b.es(), false);
        seg(t, "fs", a.fs(), b.fs(), false);
        seg(t, "gs", a.gs(), b.gs(), false);
        cmp(t, "tr.selector", a.tr().selector(), b.tr().selector());
        cmp(t, "tr.base", a.tr().base(), b.tr().base());
        cmp(t, "ldt.selector", a.ldt().selector(), b.ldt().selector());
        cmp(t, "gdt.base", a.gdt().base(), b.gdt().base());
        cmp(t, "gdt.limit", a.gdt().limit(), b.gdt().limit());
        cmp(t, "idt.base", a.idt().base(), b.idt().base());
        cmp(t, "idt.limit", a.idt().limit(), b.idt().limit());
        cmp(t, "cr0", a.cr0(), b.cr0());
        cmp(t, "cr2", a.cr2(), b.cr2());
        cmp(t, "cr3", a.cr3(), b.cr3());
        cmp(t, "cr4", a.cr4(), b.cr4());
        cmp(t, "cr8", a.cr8(), b.cr8());
        cmp(t, "efer", a.efer(), b.efer());
        for (String s : t) {
            diffs.add(new Diff(Kind.OTHER, 0, 0, s));
            lines.add(s);
        }
    }

    /** Architecturally visible parts of a segment register in 64-bit mode. */
    private static void seg(List<String> t, String n, Segment a, Segment b, boolean codeOrStack) {
        cmp(t, n + ".selector", a.selector(), b.selector());
        cmp(t, n + ".base", a.base(), b.base());
        if (codeOrStack) {
            cmp(t, n + ".dpl", a.dpl(), b.dpl());
            if (n.equals("cs")) {
                cmp(t, "cs.l", a.l() ? 1 : 0, b.l() ? 1 : 0);
            }
        }
    }

    private static void cmp(List<String> t, String n, long a, long b) {
        if (a != b) t.add(n + ": replay 0x" + Long.toHexString(a) + " != recorded 0x" + Long.toHexString(b));
    }
}
