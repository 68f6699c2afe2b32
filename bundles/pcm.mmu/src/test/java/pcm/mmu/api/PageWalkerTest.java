package pcm.mmu.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import pcm.core.api.memory.GuestMemoryException;
import pcm.core.api.memory.GuestMemoryProvider.AllocatedMemory;
import pcm.core.api.memory.GuestMemoryProvider.RegionSpec;
import pcm.mmu.api.Translation.PageSize;
import pcm.mmu.internal.MmapGuestMemoryProvider;

/**
 * Page tables built in guest memory: PML4 at 0x1000, PDPT 0x2000, PD 0x3000, PT 0x4000, and a
 * higher-half PDPT at 0x6000 / PD 0x7000.
 */
class PageWalkerTest {

    private static final long P = 1, RW = 2, US = 4, A = 0x20, D = 0x40, PS = 0x80, XD = 1L << 63;
    private static final long PML4 = 0x1000, PDPT = 0x2000, PD = 0x3000, PT = 0x4000;
    private static final long HI_PDPT = 0x6000, HI_PD = 0x7000;
    private static final long ALL = P | RW | US;

    private AllocatedMemory memory;
    private PageWalker walker;
    private Paging paging;

    @BeforeEach
    void buildTables() {
        memory = new MmapGuestMemoryProvider().allocate(List.of(new RegionSpec(0, 1L << 20)));
        walker = new PageWalker(memory);
        paging = Paging.of(PML4 | 0x18); // PWT/PCD bits in CR3 are ignored
        set(PML4, 0, PDPT | ALL);
        set(PDPT, 0, PD | ALL);
        set(PD, 0, PT | ALL);
        set(PT, 5, 0x85000 | ALL);                  // gva 0x5000 -> 0x85000, 4 KiB
        set(PD, 1, 0x400000 | ALL | PS);            // gva 0x200000 -> 0x400000, 2 MiB
        set(PDPT, 1, 0xC0000000L | ALL | PS);       // gva 1 GiB -> 3 GiB, 1 GiB
        set(PML4, 511, HI_PDPT | P | RW);           // gva 0xffffff80_00000000 (supervisor)
        set(HI_PDPT, 0, HI_PD | P | RW);
        set(HI_PD, 0, 0x600000 | P | RW | PS);
    }

    @AfterEach
    void free() {
        memory.close();
    }

    private void set(long table, int index, long entry) {
        memory.writeLong(table + 8L * index, entry);
    }

    private long get(long table, int index) {
        return memory.readLong(table + 8L * index);
    }

    private Translation read(long gva) throws TranslationException {
        return walker.translate(paging, gva, Access.READ, false);
    }

    private PageFault fault(Paging p, long gva, Access access, boolean user) {
        return assertThrows(PageFault.class, () -> walker.translate(p, gva, access, user));
    }

    @Test
    void fourKilobytePage() throws Exception {
        Translation t = read(0x5123);
        assertEquals(0x85123, t.gpa());
        assertEquals(PageSize.SIZE_4K, t.pageSize());
        assertEquals(0x85000, t.pageBase());
        assertTrue(t.writable() && t.user() && t.executable());
    }

    @Test
    void twoMegabytePage() throws Exception {
        Translation t = read(0x212345);
        assertEquals(0x412345, t.gpa());
        assertEquals(PageSize.SIZE_2M, t.pageSize());
        assertEquals(0x400000, t.pageBase());
    }

    @Test
    void oneGigabytePage() throws Exception {
        Translation t = read((1L << 30) + 0x3456789);
        assertEquals(0xC3456789L, t.gpa());
        assertEquals(PageSize.SIZE_1G, t.pageSize());
    }

    @Test
    void higherHalfAddresses() throws Exception {
        Translation t = read(0xFFFFFF8000012345L);
        assertEquals(0x612345, t.gpa());
        assertFalse(t.user());
    }

    @Test
    void notPresentAtEachLevel() {
        set(PDPT, 2, 0);
        set(PD, 3, 0);
        set(PT, 6, 0x86000); // P clear, other bits set
        record Case(long gva, int level) {}
        for (Case c : List.of(new Case(2L << 39, 4), new Case(2L << 30, 3), new Case(3L << 21, 2),
                new Case(0x6000, 1))) {
            PageFault f = fault(paging, c.gva(), Access.READ, false);
            assertEquals(0, f.errorCode(), f.getMessage());
            assertEquals(c.level(), f.level());
            assertEquals(c.gva(), f.gva());
            PageFault w = fault(paging, c.gva(), Access.WRITE, true);
            assertEquals(PageFault.WRITE | PageFault.USER, w.errorCode());
            assertFalse(w.present());
        }
        PageFault fetch = fault(paging, 0x6000, Access.EXECUTE, false);
        assertEquals(PageFault.FETCH, fetch.errorCode());
        assertTrue(fetch.instructionFetch());
    }

    @Test
    void writeToReadOnlyPageHonoursWriteProtect() throws Exception {
        set(PT, 7, 0x87000 | P | US);
        PageFault f = fault(paging, 0x7000, Access.WRITE, false);
        assertEquals(PageFault.PRESENT | PageFault.WRITE, f.errorCode());
        assertTrue(f.present() && f.write() && !f.user());
        Paging noWp = new Paging(PML4, false, true, false, false, false, 52, false);
        assertEquals(0x87008, walker.translate(noWp, 0x7008, Access.WRITE, false).gpa());
        assertEquals(PageFault.PRESENT | PageFault.WRITE | PageFault.USER,
                fault(noWp, 0x7000, Access.WRITE, true).errorCode());
        assertFalse(read(0x7000).writable());
        // read-only at a higher level is read-only too
        set(PD, 0, PT | P | US);
        assertEquals(PageFault.PRESENT | PageFault.WRITE, fault(paging, 0x5000, Access.WRITE, false).errorCode());
    }

    @Test
    void userAccessToSupervisorPage() throws Exception {
        set(PT, 8, 0x88000 | P | RW);
        PageFault f = fault(paging, 0x8000, Access.READ, true);
        assertEquals(PageFault.PRESENT | PageFault.USER, f.errorCode());
        assertEquals(0x88000, read(0x8000).gpa());
        // supervisor at the PML4 level makes the whole tree supervisor
        PageFault hi = fault(paging, 0xFFFFFF8000000000L, Access.READ, true);
        assertEquals(PageFault.PRESENT | PageFault.USER, hi.errorCode());
    }

    @Test
    void noExecuteFetch() throws Exception {
        set(PT, 9, 0x89000 | ALL | XD);
        PageFault f = fault(paging, 0x9000, Access.EXECUTE, false);
        assertEquals(PageFault.PRESENT | PageFault.FETCH, f.errorCode());
        assertEquals(PageFault.PRESENT | PageFault.FETCH | PageFault.USER,
                fault(paging, 0x9000, Access.EXECUTE, true).errorCode());
        assertFalse(read(0x9000).executable());
        // XD at the PD level applies to everything below
        set(PD, 0, PT | ALL | XD);
        assertEquals(PageFault.PRESENT | PageFault.FETCH, fault(paging, 0x5000, Access.EXECUTE, false).errorCode());
        // without EFER.NXE bit 63 is reserved
        Paging noNx = new Paging(PML4, true, false, false, false, false, 52, false);
        PageFault r = fault(noNx, 0x5000, Access.EXECUTE, false);
        assertEquals(PageFault.PRESENT | PageFault.RESERVED, r.errorCode());
        assertEquals(2, r.level());
    }

    @Test
    void reservedBits() {
        set(PML4, 3, PDPT | ALL | PS);
        PageFault ps = fault(paging, 3L << 39, Access.WRITE, false);
        assertEquals(PageFault.PRESENT | PageFault.RESERVED | PageFault.WRITE, ps.errorCode());
        assertEquals(4, ps.level());
        assertTrue(ps.reservedBit());

        set(PD, 4, 0x800000 | ALL | PS | (1L << 13));
        assertEquals(2, fault(paging, 4L << 21, Access.READ, false).level());
        set(PDPT, 4, (4L << 30) | ALL | PS | (1L << 20));
        assertEquals(3, fault(paging, 4L << 30, Access.READ, false).level());

        set(PT, 10, (1L << 40) | ALL);
        Paging narrow = paging.withPhysicalAddressBits(36);
        assertEquals(PageFault.PRESENT | PageFault.RESERVED, fault(narrow, 0xA000, Access.READ, false).errorCode());
        assertEquals(1, fault(narrow, 0xA000, Access.READ, false).level());
    }

    @Test
    void reservedBitsAreCheckedBeforePermissions() {
        set(PT, 11, 0x8B000 | P | (1L << 51)); // supervisor page with a reserved bit
        PageFault f = fault(paging.withPhysicalAddressBits(48), 0xB000, Access.READ, true);
        assertTrue(f.reservedBit());
    }

    @Test
    void nonCanonicalAddresses() {
        for (long gva : new long[] {1L << 47, 0x8000_0000_0000_0000L, 0xFFFF_7FFF_FFFF_FFFFL}) {
            NonCanonicalAddressException e = assertThrows(NonCanonicalAddressException.class,
                    () -> walker.translate(paging, gva, Access.READ, false));
            assertEquals(gva, e.gva());
            assertTrue(e.getMessage().contains(Long.toHexString(gva)));
        }
        assertTrue(PageWalker.isCanonical(0x7FFF_FFFF_FFFFL));
        assertTrue(PageWalker.isCanonical(0xFFFF_8000_0000_0000L));
    }

    @Test
    void smepAndSmap() throws Exception {
        Paging smep = new Paging(PML4, true, false, true, false, false, 52, false);
        assertEquals(PageFault.PRESENT | PageFault.FETCH, fault(smep, 0x5000, Access.EXECUTE, false).errorCode());
        Paging smap = new Paging(PML4, true, true, false, true, false, 52, false);
        assertEquals(PageFault.PRESENT, fault(smap, 0x5000, Access.READ, false).errorCode());
        Paging smapAc = new Paging(PML4, true, true, false, true, true, 52, false);
        assertEquals(0x85000, walker.translate(smapAc, 0x5000, Access.WRITE, false).gpa());
        assertEquals(0x85000, walker.translate(smap, 0x5000, Access.READ, true).gpa());
    }

    @Test
    void accessedAndDirtyBits() throws Exception {
        DirtyPageTracker tracker = new DirtyPageTracker(memory);
        PageWalker tracking = new PageWalker(memory, tracker);
        tracking.translate(paging, 0x5000, Access.READ, false);
        assertEquals(0, get(PT, 5) & (A | D), "no A/D without the flag");
        assertEquals(0, tracker.dirtyCount());

        Paging ad = paging.withAccessedDirty(true);
        tracking.translate(ad, 0x5000, Access.READ, false);
        assertEquals(A, get(PML4, 0) & (A | D));
        assertEquals(A, get(PDPT, 0) & (A | D));
        assertEquals(A, get(PD, 0) & (A | D));
        assertEquals(A, get(PT, 5) & (A | D));
        assertEquals(4, tracker.dirtyCount());
        assertTrue(tracker.isDirty(PT));

        tracker.clear();
        tracking.translate(ad, 0x5000, Access.WRITE, false);
        assertEquals(A | D, get(PT, 5) & (A | D));
        assertEquals(A, get(PD, 0) & (A | D), "dirty only on the leaf");
        assertEquals(List.of(PT), dirtyPages(tracker), "only the PTE changed");

        tracking.translate(ad, 0x200000, Access.WRITE, false);
        assertEquals(A | D, get(PD, 1) & (A | D), "2 MiB leaf gets D");

        set(PT, 7, 0x87000 | P | US);
        assertThrows(PageFault.class, () -> tracking.translate(ad, 0x7000, Access.WRITE, false));
        assertEquals(0, get(PT, 7) & (A | D), "a failing walk writes nothing");
    }

    private static List<Long> dirtyPages(DirtyPageTracker tracker) {
        List<Long> pages = new java.util.ArrayList<>();
        tracker.forEachDirty(pages::add);
        return pages;
    }

    @Test
    void pageTablesOutsideRamAreAGuestMemoryError() {
        set(PML4, 4, (1L << 32) | ALL);
        GuestMemoryException e = assertThrows(GuestMemoryException.class, () -> read(4L << 39));
        assertEquals(1L << 32, e.address());
    }

    @Test
    void pagingFromRegisters() {
        long cr0 = (1L << 31) | (1L << 16) | 1;
        long cr4 = (1L << 5) | (1L << 20);
        long efer = (1L << 10) | (1L << 8) | (1L << 11);
        Paging p = Paging.of(cr0, 0x1000, cr4, efer, 1L << 18);
        assertTrue(p.writeProtect() && p.noExecute() && p.smep() && !p.smap() && p.alignmentCheck());
        assertThrows(IllegalArgumentException.class, () -> Paging.of(cr0, 0x1000, cr4, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> Paging.of(cr0, 0x1000, cr4 | (1L << 12), efer, 0));
        assertThrows(IllegalArgumentException.class, () -> Paging.of(0x1000).withPhysicalAddressBits(53));
    }
}
