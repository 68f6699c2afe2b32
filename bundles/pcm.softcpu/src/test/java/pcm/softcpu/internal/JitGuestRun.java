package pcm.softcpu.internal;

import java.lang.foreign.ValueLayout;

/**
 * One run of the embedded guest on the soft CPU through {@link GuestHarness}, with or without the block compiler,
 * reduced to what must be identical between the two: console, result, status, exits, ticks, the instruction count,
 * the final registers and a hash of all RAM.
 */
final class JitGuestRun {

    final String console;
    final long result, exits, icount, ramHash;
    final int status, ticks;
    final String regs;
    final pcm.softcpu.internal.jit.JitStats stats;

    /** threshold <= 0: interpreter only. */
    JitGuestRun(long param, long tickInstructions, int threshold, int cacheBlocks) throws Exception {
        try (GuestHarness h = new GuestHarness(param, tickInstructions > 0 ? 100 : 0, tickInstructions)) {
            h.deterministicInputs = true;
            SoftVcpu v = (SoftVcpu) h.vcpu;
            if (threshold > 0) v.setBlockCompiler(threshold, cacheBlocks);
            else v.setBlockCompiler(false);
            console = h.run(10_000_000);
            result = h.result;
            exits = h.exits;
            status = h.status;
            ticks = h.ticks;
            icount = v.instructionCount();
            regs = h.finalRegs == null ? "none" : h.finalRegs.toString() + " rip=" + Long.toHexString(v.rip())
                    + " rflags=" + Long.toHexString(v.rflags());
            long hash = 0x9E3779B97F4A7C15L;
            for (long a = 0; a < GuestHarness.RAM; a += 8) {
                hash = (hash ^ h.ram.get(ValueLayout.JAVA_LONG_UNALIGNED, a)) * 0x100000001B3L;
            }
            ramHash = hash;
            stats = v.blockCompilerStats();
        }
    }

    /** The differences to another run, empty when none. */
    String differences(JitGuestRun o) {
        StringBuilder b = new StringBuilder();
        if (!console.equals(o.console)) b.append("console differs; ");
        if (result != o.result) b.append("result ").append(result).append(" vs ").append(o.result).append("; ");
        if (status != o.status) b.append("status ").append(status).append(" vs ").append(o.status).append("; ");
        if (exits != o.exits) b.append("exits ").append(exits).append(" vs ").append(o.exits).append("; ");
        if (ticks != o.ticks) b.append("ticks ").append(ticks).append(" vs ").append(o.ticks).append("; ");
        if (icount != o.icount) b.append("instructions ").append(icount).append(" vs ").append(o.icount).append("; ");
        if (!regs.equals(o.regs)) b.append("registers ").append(regs).append(" vs ").append(o.regs).append("; ");
        if (ramHash != o.ramHash) b.append("RAM hash differs; ");
        return b.toString();
    }
}
