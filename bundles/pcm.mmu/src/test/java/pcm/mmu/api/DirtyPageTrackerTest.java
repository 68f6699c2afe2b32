package pcm.mmu.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import pcm.core.api.memory.GuestMemoryException;
import pcm.core.api.memory.GuestMemoryProvider.AllocatedMemory;
import pcm.core.api.memory.GuestMemoryProvider.RegionSpec;
import pcm.mmu.internal.MmapGuestMemoryProvider;

class DirtyPageTrackerTest {

    private static final long HI = 1L << 32;

    private AllocatedMemory memory;
    private DirtyPageTracker tracker;

    @BeforeEach
    void setUp() {
        // slot 0: 100 pages at 0 (not a multiple of 64), slot 1: 128 pages at 4 GiB
        memory = new MmapGuestMemoryProvider().allocate(List.of(new RegionSpec(0, 100 * 4096), new RegionSpec(HI, 128 * 4096)));
        tracker = new DirtyPageTracker(memory);
    }

    @AfterEach
    void tearDown() {
        memory.close();
    }

    private List<Long> dirty() {
        List<Long> pages = new ArrayList<>();
        tracker.forEachDirty(pages::add);
        return pages;
    }

    @Test
    void marksEveryTouchedPage() {
        tracker.markDirty(0x1FFF, 2);        // pages 1 and 2
        tracker.markDirty(HI + 0x5000, 1);   // slot 1 page 5
        tracker.markDirty(0x10000, 0);       // nothing
        assertEquals(List.of(0x1000L, 0x2000L, HI + 0x5000), dirty());
        assertEquals(3, tracker.dirtyCount());
        assertTrue(tracker.isDirty(0x2FFF));
        assertFalse(tracker.isDirty(0x3000));
        assertFalse(tracker.isDirty(HI * 2));
        assertArrayEquals(new long[] {0b110, 0}, tracker.bitmap(0));
    }

    @Test
    void marksOutsideRamNameTheAddress() {
        GuestMemoryException e = assertThrows(GuestMemoryException.class, () -> tracker.markDirty(100 * 4096 - 4, 8));
        assertEquals(100 * 4096 - 4, e.address());
        assertThrows(GuestMemoryException.class, () -> tracker.markDirty(-1, 1));
        assertThrows(GuestMemoryException.class, () -> tracker.markDirty(0, -1));
        assertEquals(0, tracker.dirtyCount());
    }

    @Test
    void mergesKvmDirtyLogs() {
        tracker.markDirty(0, 1);
        // KVM's bitmap for 100 pages is 2 words; bits beyond page 99 are ignored
        tracker.mergeDirtyLog(0, new long[] {1L << 63 | 0b1000, 1L << 35 | 1L << 36 | -1L << 40});
        tracker.mergeDirtyLog(1, new long[] {0, 1L << 63, 0xFF});  // third word beyond the slot: ignored
        assertEquals(List.of(0L, 3 * 4096L, 63 * 4096L, 99 * 4096L, HI + 127 * 4096), dirty());
        assertThrows(IllegalArgumentException.class, () -> tracker.mergeDirtyLog(7, new long[1]));
    }

    @Test
    void drainReportsAndClears() {
        tracker.markDirty(HI, 3 * 4096);
        List<Long> drained = new ArrayList<>();
        tracker.drain(drained::add);
        assertEquals(List.of(HI, HI + 4096, HI + 8192), drained);
        assertEquals(0, tracker.dirtyCount());
        tracker.markDirty(0, 1);
        tracker.clear();
        assertEquals(List.of(), dirty());
    }

    @Test
    void concurrentMarksAreNotLost() throws Exception {
        Thread[] threads = new Thread[4];
        for (int t = 0; t < threads.length; t++) {
            int id = t;
            threads[t] = new Thread(() -> {
                for (long page = id; page < 128; page += threads.length) {
                    tracker.markDirty(HI + page * 4096, 1);
                }
            });
            threads[t].start();
        }
        for (Thread t : threads) {
            t.join();
        }
        assertEquals(128, tracker.dirtyCount());
    }
}
