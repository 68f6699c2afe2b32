package pcm.mmu.api;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;

import pcm.core.api.memory.GuestMemory;
import pcm.core.api.memory.GuestMemoryException;
import pcm.mmu.api.Translation.PageSize;

/**
 * Translates guest linear addresses to guest physical ones the way an x86-64 CPU does with 4-level
 * paging (Intel SDM Vol. 3A §4.5, protection §4.6, error code §4.7): PML4 → PDPT (1 GiB pages) → PD
 * (2 MiB pages) → PT (4 KiB pages).
 *
 * <p>Checked: presence at every level; reserved bits (bits 51:MAXPHYADDR, bit 63 without EFER.NXE,
 * PS in a PML4E, bits 29:13 of a 1 GiB and 20:13 of a 2 MiB leaf); R/W, U/S and XD combined over all
 * levels with CR0.WP, SMEP and SMAP. Protection keys, shadow stacks and 5-level paging are not
 * modelled. Implicit supervisor accesses (descriptor tables) are treated as explicit ones for SMAP.
 *
 * <p>With {@link Paging#setAccessedDirty()} a successful walk sets the accessed bit of every entry it
 * used and, for a write, the dirty bit of the leaf, each with an atomic compare-and-set like the
 * CPU's locked update; if the guest changed an entry meanwhile the walk restarts. Entries already
 * marked are not written. Those writes are marked in the {@link DirtyPageTracker} if one is given,
 * since KVM's dirty log does not see them. A failing walk writes nothing.
 *
 * <p>Page-table entries outside guest RAM end the walk with the {@link GuestMemoryException} of the
 * read (a guest with page tables outside RAM is broken beyond what a #PF describes).
 *
 * <p>Stateless apart from its memory (no TLB): safe for concurrent use.
 */
public final class PageWalker {

    private static final long P = 1L;
    private static final long RW = 1L << 1;
    private static final long US = 1L << 2;
    private static final long A = 1L << 5;
    private static final long D = 1L << 6;
    private static final long PS = 1L << 7;
    private static final long XD = 1L << 63;
    private static final long BITS_20_13 = 0x1FE000L;
    private static final long BITS_29_13 = 0x3FFFE000L;
    private static final int MAX_RESTARTS = 64;

    private static final VarHandle ENTRY = ValueLayout.JAVA_LONG.varHandle();

    private final GuestMemory memory;
    private final DirtyPageTracker tracker;

    public PageWalker(GuestMemory memory) {
        this(memory, null);
    }

    /** @param tracker marks pages whose entries get accessed/dirty bits set; may be null */
    public PageWalker(GuestMemory memory, DirtyPageTracker tracker) {
        this.memory = memory;
        this.tracker = tracker;
    }

    /** Whether bits 63:47 of {@code gva} are all equal. */
    public static boolean isCanonical(long gva) {
        return (gva << 16 >> 16) == gva;
    }

    /**
     * Translates one access.
     *
     * @param user a user-mode (CPL 3) access; false for supervisor accesses
     * @throws PageFault                    with the #PF error code the CPU would report
     * @throws NonCanonicalAddressException if {@code gva} is not canonical (#GP / #SS)
     * @throws GuestMemoryException         if a paging structure lies outside guest RAM
     */
    public Translation translate(Paging paging, long gva, Access access, boolean user) throws TranslationException {
        if (!isCanonical(gva)) {
            throw new NonCanonicalAddressException(gva);
        }
        for (int attempt = 0; attempt < MAX_RESTARTS; attempt++) {
            Translation t = walk(paging, gva, access, user);
            if (t != null) {
                return t;
            }
        }
        throw new IllegalStateException("page tables for 0x" + Long.toHexString(gva)
                + " changed during " + MAX_RESTARTS + " walks");
    }

    /** One walk; null if an accessed/dirty update lost a race and the walk must restart. */
    private Translation walk(Paging paging, long gva, Access access, boolean user) throws PageFault {
        boolean write = access == Access.WRITE;
        boolean fetch = access == Access.EXECUTE;
        int code = (write ? PageFault.WRITE : 0) | (user ? PageFault.USER : 0)
                | (fetch && (paging.noExecute() || paging.smep()) ? PageFault.FETCH : 0);

        long addressMask = ((1L << paging.physicalAddressBits()) - 1) & ~0xFFFL;
        long reserved = ((1L << 52) - 1) & ~((1L << paging.physicalAddressBits()) - 1);
        if (!paging.noExecute()) {
            reserved |= XD;
        }

        long[] entryGpas = new long[4];
        long[] entries = new long[4];
        long table = paging.cr3() & addressMask;
        boolean writable = true;
        boolean userOk = true;
        boolean noExec = false;
        PageSize size = PageSize.SIZE_4K;
        int used = 0;
        long gpa = 0;
        for (int level = 4; level >= 1; level--) {
            int shift = 12 + 9 * (level - 1);
            long entryGpa = table + (((gva >>> shift) & 0x1FF) << 3);
            long entry = memory.readLong(entryGpa);
            entryGpas[used] = entryGpa;
            entries[used] = entry;
            used++;
            if ((entry & P) == 0) {
                throw new PageFault(gva, code, level, "entry at 0x" + Long.toHexString(entryGpa) + " not present");
            }
            boolean leaf = level == 1 || (level <= 3 && (entry & PS) != 0);
            long rsvd = reserved;
            if (level == 4) {
                rsvd |= PS;
            } else if (leaf && level == 3) {
                rsvd |= BITS_29_13;
            } else if (leaf && level == 2) {
                rsvd |= BITS_20_13;
            }
            if ((entry & rsvd) != 0) {
                throw new PageFault(gva, code | PageFault.PRESENT | PageFault.RESERVED, level,
                        "reserved bits 0x" + Long.toHexString(entry & rsvd) + " set in entry 0x"
                                + Long.toHexString(entry) + " at 0x" + Long.toHexString(entryGpa));
            }
            writable &= (entry & RW) != 0;
            userOk &= (entry & US) != 0;
            noExec |= paging.noExecute() && (entry & XD) != 0;
            if (leaf) {
                size = level == 3 ? PageSize.SIZE_1G : level == 2 ? PageSize.SIZE_2M : PageSize.SIZE_4K;
                long offsetMask = size.bytes() - 1;
                gpa = (entry & addressMask & ~offsetMask) | (gva & offsetMask);
                break;
            }
            table = entry & addressMask;
        }

        String denied = denied(paging, write, fetch, user, writable, userOk, noExec);
        if (denied != null) {
            throw new PageFault(gva, code | PageFault.PRESENT, 5 - used, denied);
        }
        if (paging.setAccessedDirty()) {
            for (int i = 0; i < used; i++) {
                long bits = A | (write && i == used - 1 ? D : 0);
                if ((entries[i] & bits) != bits && !setBits(entryGpas[i], entries[i], bits)) {
                    return null;
                }
            }
        }
        return new Translation(gva, gpa, size, writable, userOk, !noExec);
    }

    /** Why the access is not allowed (SDM §4.6), or null. */
    private static String denied(Paging paging, boolean write, boolean fetch, boolean user, boolean writable,
                                 boolean userPage, boolean noExec) {
        if (user) {
            if (!userPage) {
                return "user access to a supervisor page";
            }
            if (write && !writable) {
                return "user write to a read-only page";
            }
            if (fetch && noExec) {
                return "instruction fetch from a no-execute page";
            }
            return null;
        }
        if (fetch) {
            if (noExec) {
                return "instruction fetch from a no-execute page";
            }
            if (paging.smep() && userPage) {
                return "supervisor fetch from a user page (SMEP)";
            }
            return null;
        }
        if (write && !writable && paging.writeProtect()) {
            return "supervisor write to a read-only page (CR0.WP)";
        }
        if (paging.smap() && userPage && !paging.alignmentCheck()) {
            return "supervisor data access to a user page (SMAP)";
        }
        return null;
    }

    /** Atomically sets {@code bits} if the entry still holds {@code expected}; false if it changed. */
    private boolean setBits(long entryGpa, long expected, long bits) {
        MemorySegment slot = memory.slice(entryGpa, 8);
        boolean done;
        if (slot.maxByteAlignment() >= 8 && slot.address() % 8 == 0) {
            done = ENTRY.compareAndSet(slot, 0L, expected, expected | bits);
        } else {
            // memory without 8-byte aligned access (a byte[]-backed test memory): no concurrent guest to race with
            memory.writeLong(entryGpa, expected | bits);
            done = true;
        }
        if (done && tracker != null) {
            tracker.markDirty(entryGpa, 8);
        }
        return done;
    }
}
