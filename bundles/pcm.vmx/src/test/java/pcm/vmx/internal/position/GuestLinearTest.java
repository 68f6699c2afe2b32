package pcm.vmx.internal.position;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import org.junit.jupiter.api.Test;

import pcm.vmx.internal.replay.SegmentMemory;

/**
 * The counter's page walk: what it cannot translate it cannot classify (a CPUID there went unlogged, and the kvm
 * replay then ran it with another CPUID table). 4-level with 4 KiB, 2 MiB and 1 GiB pages; 5-level (CR4.LA57).
 */
class GuestLinearTest {

    private static final long PG = 1L << 31, LA57 = 1L << 12, P_RW = 0x3, PS = 0x80;

    private final MemorySegment ram = Arena.ofAuto().allocate(1 << 20, 4096);
    private final GuestLinear linear = new GuestLinear(new SegmentMemory(ram));

    private void entry(long table, long la, int shift, long value) {
        ram.set(ValueLayout.JAVA_LONG_UNALIGNED, table + ((la >>> shift) & 0x1FF) * 8, value);
    }

    @Test
    void fourLevelWithSmallLargeAndHugePages() {
        long pml4 = 0x1000, pdpt = 0x2000, pd = 0x3000, pt = 0x4000;
        long small = 0x0000_7F12_3456_7000L, large = 0x0000_7F12_3460_0000L, huge = 0x0000_7F00_4000_0000L;
        entry(pml4, small, 39, pdpt | P_RW);
        entry(pdpt, small, 30, pd | P_RW);
        entry(pd, small, 21, pt | P_RW);
        entry(pt, small, 12, 0x9000 | P_RW);
        entry(pd, large, 21, 0x4000_0000L | PS | P_RW);
        entry(pdpt, huge, 30, 0x1_4000_0000L | PS | P_RW);
        assertEquals(0x9123, linear.translate(PG, pml4, 0, small + 0x123));
        assertEquals(0x4000_0000L + 0x12345, linear.translate(PG, pml4, 0, large + 0x12345));
        assertEquals(0x1_4000_0000L + 0x123_4567, linear.translate(PG, pml4, 0, huge + 0x123_4567));
        assertEquals(-1, linear.translate(PG, pml4, 0, 0x0000_7E00_0000_0000L), "no PML4 entry");
        assertEquals(0x9123, linear.translate(PG, pml4 | 0x5 | 1L << 63, 0, small + 0x123), "PCID and no-flush bits of CR3");
    }

    @Test
    void fiveLevelWalksThePml5First() {
        long pml5 = 0x1000, pml4 = 0x2000, pdpt = 0x3000, pd = 0x4000, pt = 0x5000;
        // an upper-half kernel address of a 57-bit space: bits 56..48 select the PML5 entry
        long la = 0xFF5F_0012_3456_7000L;
        entry(pml5, la, 48, pml4 | P_RW);
        entry(pml4, la, 39, pdpt | P_RW);
        entry(pdpt, la, 30, pd | P_RW);
        entry(pd, la, 21, pt | P_RW);
        entry(pt, la, 12, 0xA000 | P_RW);
        ram.set(ValueLayout.JAVA_BYTE, 0xA010, (byte) 0x0F);
        ram.set(ValueLayout.JAVA_BYTE, 0xA011, (byte) 0xA2); // cpuid
        assertEquals(0xA010, linear.translate(PG, pml5, LA57, la + 0x10));
        byte[] insn = new byte[2];
        assertEquals(2, linear.read(PG, pml5, LA57, la + 0x10, insn, 2));
        assertArrayEquals(new byte[] {0x0F, (byte) 0xA2}, insn);
        assertEquals(InsnPeek.CPUID, InsnPeek.classify(insn, 2) & 0xFF, "the counter sees the CPUID it must log");
        assertEquals(-1, linear.translate(PG, pml5, LA57, la ^ 1L << 48), "another PML5 slot: not present");
    }
}
