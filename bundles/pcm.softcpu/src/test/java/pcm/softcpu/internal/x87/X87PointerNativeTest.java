package pcm.softcpu.internal.x87;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import pcm.softcpu.internal.HostProgram;

/**
 * The x87 last-instruction pointers against the host CPU without single-stepping (issue 13, vendor model): the
 * scenarios of {@code src/test/c/x87_pointer_probe.c} (FXRSTOR of images with pointers, selectors, reserved FCW bits
 * and 64-bit pointers; a masked load, a register instruction after a memory one, FLDCW unmasking a pending flag, an
 * RSP-based operand, an unmasked exception from a register instruction), each ending in FXSAVE64 and FNSTENV, run
 * natively and on the x87 unit under the host vendor's model ({@link FpuVendor}); the printed fields, addresses and
 * selectors by name, must be equal. This reaches what the single-stepping oracle cannot on AMD: pointers that an
 * FNSTENV shows while FSW.ES is clear. Skipped with the reason where the probe cannot be built.
 */
class X87PointerNativeTest {

    private static final long D1 = 0x100, D3 = 0x108, CW = 0x180, IMG = 0x200, FX = 0x400, ENV = 0x600, S = 0x800;
    private static final long L1 = 0x1010, L2 = 0x1020, L3 = 0x1030, L4 = 0x1040, L5 = 0x1050, OTHER = 0x1800;
    private static final int CS = 0x33, SS = 0x2B, DS = 0;

    private final X87State st = new X87State();
    private final X87Unit u = new X87Unit(st);
    private final FakeHost h = new FakeHost();

    @Test
    void pointersMatchTheHostCpu() throws Exception {
        String why = HostProgram.unavailable("the x87 pointer probe");
        Assumptions.assumeTrue(why == null, why);
        Path exe = HostProgram.build("x87_pointer_probe.c", "x87-pointer-probe");
        Process p = new ProcessBuilder(exe.toString()).redirectErrorStream(true).start();
        List<String> lines = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertEquals(0, p.waitFor(), () -> String.join("\n", lines));
        String vendor = lines.getFirst().substring("vendor ".length());
        FpuVendor model = FpuVendor.ofCpuidVendor(vendor);
        st.setVendor(model);
        h.cs = CS;
        Map<String, String> soft = softScenarios();
        List<String> bad = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String name = line.substring(0, line.indexOf(' '));
            String mine = soft.get(name);
            if (!line.equals(mine)) bad.add("native " + line + "\nsoft   " + mine);
        }
        System.out.printf("x87 pointers (%s, model %s): %d scenarios, %d differ%n", vendor, model, lines.size() - 1, bad.size());
        assertEquals(soft.size(), lines.size() - 1, "scenarios");
        assertTrue(bad.isEmpty(), () -> String.join("\n", bad));
    }

    /** The probe's scenarios on the x87 unit, reported in the probe's format. */
    private Map<String, String> softScenarios() {
        Map<String, String> out = new LinkedHashMap<>();
        h.write(D1, 8, Double.doubleToRawLongBits(1.5));
        h.write(D3, 8, Double.doubleToRawLongBits(3.0));

        restore(true, 0x037F, 0, 0x123, 0x11223344L, 0x55667788L, 0, 0);
        out.put("restore64", saveAndReport("restore64"));
        restore(false, 0x037F, 0, 0x123, 0x11223344L, 0x55667788L, 0x1234, 0x4321);
        out.put("restore32", saveAndReport("restore32"));
        restore(true, 0x8F8C, 0xFF7F, 0x5DA, 0x32D2AB4AL, 0x7510D89BL, 0, 0);
        out.put("fcwmask", saveAndReport("fcwmask"));
        restore(true, 0x035F, 0x80A0, 0x123, 0xC6D28C1AC11B553BL, 0x3D51C704F6F3C058L, 0, 0);
        out.put("wide", saveAndReport("wide"));

        fninit();
        reg(0xD9, 0xE8, OTHER); // FLD1
        mem(0xDD, 0, 5, D1, DS, L1); // FLD m64 [rip]
        out.put("load", saveAndReport("load"));

        fninit();
        mem(0xDD, 0, 5, D1, DS, OTHER);
        reg(0xD9, 0xE8, L2);
        out.put("regaftermem", saveAndReport("regaftermem"));

        fninit();
        reg(0xD9, 0xE8, OTHER);
        mem(0xDC, 6, 5, D3, DS, L3); // FDIV m64: PE, masked
        fldcw(0x035F);
        out.put("unmask", saveAndReport("unmask"));

        fninit();
        h.write(S, 8, Double.doubleToRawLongBits(1.5));
        mem(0xDD, 0, 4, S, SS, L4); // FLD m64 [rsp]
        out.put("stack", saveAndReport("stack"));

        fninit();
        fldcw(0x037B);
        mem(0xDD, 0, 5, D1, DS, OTHER);
        reg(0xD9, 0xE8, OTHER);
        reg(0xD9, 0xEE, OTHER); // FLDZ
        reg(0xDE, 0xF9, L5); // FDIVP ST(1), ST0: 1/0, ZE unmasked
        out.put("unmaskedreg", saveAndReport("unmaskedreg"));
        return out;
    }

    private void fninit() { reg(0xDB, 0xE3, OTHER); }

    private void reg(int op, int modrm, long rip) { u.escape(h, op, 3, modrm >> 3 & 7, modrm & 7, 0, 0, rip, false); }

    private void mem(int op, int reg, int rm, long ea, int segment, long rip) {
        h.dataSel = segment;
        u.escape(h, op, 0, reg, rm, ea, ea, rip, false);
    }

    private void fldcw(int cw) {
        h.write(CW, 2, cw);
        mem(0xD9, 5, 5, CW, DS, OTHER);
    }

    private void restore(boolean wide, int fcw, int fsw, int fop, long fip, long fdp, int fcs, int fds) {
        for (int i = 0; i < 512; i++) h.write(IMG + i, 1, 0);
        h.write(IMG, 2, fcw);
        h.write(IMG + 2, 2, fsw);
        h.write(IMG + 6, 2, fop);
        h.write(IMG + 8, 8, fip);
        h.write(IMG + 16, 8, fdp);
        if (fcs != 0 || fds != 0) {
            h.write(IMG + 12, 2, fcs);
            h.write(IMG + 20, 2, fds);
        }
        h.write(IMG + 24, 4, 0x1F80);
        u.fxrstor(h, IMG, wide);
    }

    /** FXSAVE64 and FNSTENV, then the line the probe prints; FNCLEX and FNINIT as the probe ends. */
    private String saveAndReport(String name) {
        u.fxsave(h, FX, true);
        u.escape(h, 0xD9, 0, 6, 5, ENV, ENV, OTHER, false); // FNSTENV
        String line = String.format("%s fx: fcw=%04x fsw=%04x ftw=%02x fop=%04x fip=%s fdp=%s env: fcw=%08x fsw=%08x tw=%08x"
                        + " fip=%s fcs=%s fop=%04x fdp=%s fds=%s", name, h.read(FX, 2), h.read(FX + 2, 2), h.read(FX + 4, 1),
                h.read(FX + 6, 2), sym(h.read(FX + 8, 8), 64), sym(h.read(FX + 16, 8), 64), h.read(ENV, 4), h.read(ENV + 4, 4),
                h.read(ENV + 8, 4), sym(h.read(ENV + 12, 4), 32), sel(h.read(ENV + 16, 2)), h.read(ENV + 18, 2),
                sym(h.read(ENV + 20, 4), 32), sel(h.read(ENV + 24, 2)));
        reg(0xDB, 0xE2, OTHER); // FNCLEX
        fninit();
        return line;
    }

    private static String sym(long v, int bits) {
        long m = bits == 64 ? -1L : (1L << bits) - 1;
        if (v == 0) return "0";
        String[] names = {"L1", "L2", "L3", "L4", "L5", "D1", "D3", "S"};
        long[] at = {L1, L2, L3, L4, L5, D1, D3, S};
        for (int i = 0; i < at.length; i++) if ((at[i] & m) == (v & m)) return names[i];
        return Long.toHexString(v & m);
    }

    private static String sel(long v) {
        if (v == 0) return "0";
        if (v == CS) return "CS";
        if (v == SS) return "SS";
        return Long.toHexString(v);
    }
}
