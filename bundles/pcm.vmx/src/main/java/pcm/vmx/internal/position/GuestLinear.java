package pcm.vmx.internal.position;

import pcm.core.api.memory.GuestMemory;
import pcm.core.api.memory.GuestMemoryException;

/**
 * Reads guest linear memory through the guest's 4- or 5-level page tables (no permission checks: the counter
 * only looks at instruction bytes, the IDT, the TSS and exception frames). An address that does not
 * translate reads as "absent".
 */
final class GuestLinear {

    private static final long ADDR = 0x000F_FFFF_FFFF_F000L;

    private final GuestMemory memory;

    GuestLinear(GuestMemory memory) {
        this.memory = memory;
    }

    /** The guest physical address of {@code la}, or -1 if it does not translate (or paging is off: identity). */
    long translate(long cr0, long cr3, long cr4, long la) {
        if ((cr0 & (1L << 31)) == 0) {
            return la;
        }
        try {
            long table = cr3 & ADDR;
            if ((cr4 & (1L << 12)) != 0) {
                // LA57: a fifth level above the PML4. Unknown to the counter before stop 29, every instruction of a guest
                // with 5-level paging peeked as OTHER: its CPUIDs and RDTSCs went unlogged (Linux on a host with LA57).
                long e5 = memory.readLong(table + ((la >>> 48) & 0x1FF) * 8);
                if ((e5 & 1) == 0) return -1;
                table = e5 & ADDR;
            }
            long e = memory.readLong(table + ((la >>> 39) & 0x1FF) * 8);
            if ((e & 1) == 0) return -1;
            e = memory.readLong((e & ADDR) + ((la >>> 30) & 0x1FF) * 8);
            if ((e & 1) == 0) return -1;
            if ((e & 0x80) != 0) return (e & ADDR & ~0x3FFF_FFFFL) | (la & 0x3FFF_FFFFL);
            e = memory.readLong((e & ADDR) + ((la >>> 21) & 0x1FF) * 8);
            if ((e & 1) == 0) return -1;
            if ((e & 0x80) != 0) return (e & ADDR & ~0x1F_FFFFL) | (la & 0x1F_FFFFL);
            e = memory.readLong((e & ADDR) + ((la >>> 12) & 0x1FF) * 8);
            if ((e & 1) == 0) return -1;
            return (e & ADDR) | (la & 0xFFF);
        } catch (GuestMemoryException ex) {
            return -1;
        }
    }

    /** Reads up to {@code len} bytes at {@code la} into {@code dst}; returns how many translated (stops at a hole). */
    int read(long cr0, long cr3, long cr4, long la, byte[] dst, int len) {
        int done = 0;
        while (done < len) {
            long pa = translate(cr0, cr3, cr4, la + done);
            if (pa < 0) {
                break;
            }
            int chunk = (int) Math.min(len - done, 4096 - ((la + done) & 0xFFF));
            try {
                memory.read(pa, dst, done, chunk);
            } catch (GuestMemoryException ex) {
                break;
            }
            done += chunk;
        }
        return done;
    }

    /** Reads a little-endian 64-bit value, or throws {@link StepException} (MEMORY) naming {@code what}. */
    long read64(long cr0, long cr3, long cr4, long la, String what) throws StepException {
        byte[] b = new byte[8];
        if (read(cr0, cr3, cr4, la, b, 8) != 8) {
            throw new StepException(StepException.Reason.MEMORY, what + " at linear 0x" + Long.toHexString(la)
                    + " is not mapped to guest RAM");
        }
        return le(b, 0);
    }

    void write(long cr0, long cr3, long cr4, long la, byte[] src) {
        for (int done = 0; done < src.length; ) {
            long pa = translate(cr0, cr3, cr4, la + done);
            if (pa < 0) {
                return;
            }
            int chunk = (int) Math.min(src.length - done, 4096 - ((la + done) & 0xFFF));
            try {
                memory.write(pa, src, done, chunk);
            } catch (GuestMemoryException ex) {
                return;
            }
            done += chunk;
        }
    }

    static long le(byte[] b, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (b[off + i] & 0xFFL);
        }
        return v;
    }
}
