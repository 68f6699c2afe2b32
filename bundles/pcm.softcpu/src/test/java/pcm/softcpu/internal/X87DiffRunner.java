package pcm.softcpu.internal;

import java.util.Map;

import pcm.core.api.cpu.BackendException;

/**
 * The x87 family of the native differential test (issue 13 items 1, 2 and 4; the loop is {@link FpDiffRunner}):
 * {@link X87Gen} sequences; of the FXSAVE image FCW, FSW (TOP, C0-C3, exception flags, ES, B), the abridged tag word,
 * FOP, FIP, FDP, MXCSR, the eight registers and XMM0-15 are compared.
 */
final class X87DiffRunner extends FpDiffRunner {

    X87DiffRunner(NativeRig nat) throws BackendException {
        super(nat);
        ((SoftVcpu) soft.cpu).cpu().x87.sse3 = true; // FISTTP: the host has SSE3
    }

    @Override
    String family() { return "x87"; }

    /** The interpreter runs the AMD model (the host is AMD): see {@link #dropPointersWhileNoExceptionPending}. */
    private final boolean amd = !"intel".equals(nat.flagModel()); // AMD and TCG (-cpu max: AuthenticAMD)

    /**
     * On AMD the initial image's FOP/FIP/FDP do not reliably reach the sequence's first instruction natively while no
     * unmasked exception is pending: the runner loads them through the kernel's XRSTOR, and any save on the way (a
     * context switch, the hypervisor) stores them as zero, or FDP cut to 32 bits, because FSW.ES is clear (AMD's
     * FXSAVE/XSAVE rule; seen in 4 of 815,263 steps of a soak, never in a direct test). Such a sequence starts with
     * the pointers zero on both sides; the pointers FXRSTOR/FLDENV/FRSTOR load inside a sequence are compared.
     */
    private static void dropPointersWhileNoExceptionPending(byte[] fp) {
        int fcw = u16(fp, 0), fsw = u16(fp, 2);
        if ((fsw & ~fcw & 0x3F) != 0) return;
        java.util.Arrays.fill(fp, 6, 24, (byte) 0);
    }

    @Override
    Generator generator(long seed) {
        X87Gen gen = new X87Gen(seed);
        DiffGen ints = new DiffGen(seed ^ 0x87);
        return new Generator() {
            @Override public Job next(int len) {
                Job j = job(gen.sequence(DiffRig.CODE, len), ints);
                gen.fillScratch(j.scratch());
                ints.fillScratch(j.stack());
                gen.fpImage(j.fp(), 0);
                if (amd) dropPointersWhileNoExceptionPending(j.fp());
                return j;
            }

            @Override public Map<String, Integer> classes() { return gen.classes; }
        };
    }

    @Override
    void fpDiff(StringBuilder b, byte[] kf, byte[] sf) {
        String[] names = {"fcw", "fsw", "ftw", "fop"};
        int[] offs = {0, 2, 4, 6};
        for (int i = 0; i < 4; i++) {
            int kv = i == 2 ? kf[4] & 0xFF : u16(kf, offs[i]), sv = i == 2 ? sf[4] & 0xFF : u16(sf, offs[i]);
            if (i == 3) {
                kv &= 0x7FF;
                sv &= 0x7FF;
            }
            if (kv != sv) b.append(String.format("  %s: native %04x soft %04x%n", names[i], kv, sv));
        }
        if (u64(kf, 8) != u64(sf, 8)) b.append(String.format("  fip: native %x soft %x%n", u64(kf, 8), u64(sf, 8)));
        if (u64(kf, 16) != u64(sf, 16)) b.append(String.format("  fdp: native %x soft %x%n", u64(kf, 16), u64(sf, 16)));
        int km = (int) u64(kf, 24), sm = (int) u64(sf, 24);
        if (km != sm) b.append(String.format("  mxcsr: native %08x soft %08x%n", km, sm));
        for (int i = 0; i < 8; i++) {
            long kl = u64(kf, 32 + 16 * i), sl = u64(sf, 32 + 16 * i);
            int kh = u16(kf, 40 + 16 * i), sh = u16(sf, 40 + 16 * i);
            if (kl != sl || kh != sh) b.append(String.format("  st%d (slot): native %04x:%016x soft %04x:%016x%n", i, kh, kl, sh, sl));
        }
        if (!java.util.Arrays.equals(kf, 160, 416, sf, 160, 416)) b.append("  xmm registers differ\n");
    }

    @Override
    void describe(StringBuilder b, Job j, byte[] p) {
        byte[] fp = j.fp();
        b.append(String.format("  initial fcw=%04x fsw=%04x ftw=%02x rflags=%x%n", u16(fp, 0), u16(fp, 2), fp[4] & 0xFF, j.fl() | 0x302));
        int top = u16(p, 2) >> 11 & 7;
        b.append(String.format("  before the step: fcw=%04x fsw=%04x ftw=%02x%n", u16(p, 0), u16(p, 2), p[4] & 0xFF));
        for (int i = 0; i < 8; i++) {
            boolean empty = (p[4] >> ((top + i) & 7) & 1) == 0;
            b.append(String.format("    st%d %04x:%016x%s%n", i, u16(p, 40 + 16 * i), u64(p, 32 + 16 * i), empty ? " (empty)" : ""));
        }
    }
}
