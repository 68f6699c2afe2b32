package pcm.devices.internal.virtio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import pcm.devices.internal.HeapMemory;

/** A scripted driver writes descriptor tables and rings into heap RAM; the device's used ring is checked. */
class VirtqueueTest {

    static final int SIZE = 8;
    static final long DESC = 0x1000, AVAIL = 0x2000, USED = 0x3000;

    final HeapMemory ram = new HeapMemory(0x10000);
    final Virtqueue q = new Virtqueue(SIZE);
    int availIdx;

    VirtqueueTest() {
        q.size = SIZE;
        q.desc = DESC;
        q.driver = AVAIL;
        q.device = USED;
        q.enabled = true;
    }

    void desc(long table, int i, long addr, int len, int flags, int next) {
        long d = table + 16L * i;
        ram.put(d, 8, addr);
        ram.put(d + 8, 4, len);
        ram.put(d + 12, 2, flags);
        ram.put(d + 14, 2, next);
    }

    void offer(int head) {
        ram.put(AVAIL + 4 + 2L * (availIdx % SIZE), 2, head);
        availIdx = (availIdx + 1) & 0xFFFF;
        ram.put(AVAIL + 2, 2, availIdx);
    }

    /** Echo device: copies the readable bytes into the writable part, upper-cased. */
    final List<DescriptorChain> seen = new ArrayList<>();
    final Virtqueue.Handler echo = chain -> {
        seen.add(chain);
        byte[] in = new byte[(int) chain.readableBytes()];
        chain.read(0, in, 0, in.length);
        byte[] out = new String(in).toUpperCase().getBytes();
        int n = (int) Math.min(out.length, chain.writableBytes());
        chain.write(0, out, 0, n);
        return n;
    };

    @Test
    void aChainSplitAcrossDescriptorsIsReadAndTheUsedRingFilled() throws Exception {
        ram.put(0x4000, 5, 0x6f6c6c6568L);                // "hello"
        ram.put(0x4100, 3, 0x2e2e2eL);                    // "..."
        desc(DESC, 2, 0x4000, 5, Virtqueue.DESC_F_NEXT, 5);
        desc(DESC, 5, 0x4100, 3, Virtqueue.DESC_F_NEXT, 1);
        desc(DESC, 1, 0x5000, 4, Virtqueue.DESC_F_WRITE | Virtqueue.DESC_F_NEXT, 7);
        desc(DESC, 7, 0x5800, 16, Virtqueue.DESC_F_WRITE, 0);
        offer(2);
        assertEquals(1, q.drain(ram, false, echo));
        assertEquals("HELL", new String(ram.ram, 0x5000, 4));
        assertEquals("O...", new String(ram.ram, 0x5800, 4));
        assertEquals(1, ram.get(USED + 2, 2), "used idx");
        assertEquals(2, ram.get(USED + 4, 4), "used id = head");
        assertEquals(8, ram.get(USED + 8, 4), "used len");
        assertEquals(0, q.drain(ram, false, echo), "nothing new");
    }

    @Test
    void indirectTablesAreFollowedWhenNegotiated() throws Exception {
        long table = 0x6000;
        ram.put(0x4000, 2, 0x6b6fL);                      // "ok"
        desc(table, 0, 0x4000, 2, Virtqueue.DESC_F_NEXT, 1);
        desc(table, 1, 0x5000, 2, Virtqueue.DESC_F_WRITE, 0);
        desc(DESC, 0, table, 32, Virtqueue.DESC_F_INDIRECT, 0);
        offer(0);
        assertThrows(VirtioException.class, () -> q.drain(ram, false, echo), "not negotiated");
        Virtqueue fresh = new Virtqueue(SIZE);
        fresh.restore(new Virtqueue.State(SIZE, true, DESC, AVAIL, USED, 0, 0));
        assertEquals(1, fresh.drain(ram, true, echo));
        assertEquals("OK", new String(ram.ram, 0x5000, 2));
    }

    @Test
    void indexWrapsAt65536() throws Exception {
        q.restore(new Virtqueue.State(SIZE, true, DESC, AVAIL, USED, 0xFFFF, 0xFFFF));
        availIdx = 0xFFFF;
        desc(DESC, 3, 0x5000, 1, Virtqueue.DESC_F_WRITE, 0);
        offer(3);
        offer(3);
        assertEquals(2, q.drain(ram, false, echo));
        assertEquals(1, ram.get(USED + 2, 2));
    }

    @Test
    void noInterruptFlagIsSeen() {
        assertFalse(q.interruptSuppressed(ram));
        ram.put(AVAIL, 2, Virtqueue.AVAIL_F_NO_INTERRUPT);
        assertTrue(q.interruptSuppressed(ram));
    }

    void assertMalformed(String expected) {
        VirtioException e = assertThrows(VirtioException.class, () -> q.drain(ram, true, echo));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(0, ram.get(USED + 2, 2), "nothing reached the used ring");
    }

    @Test
    void aHeadBeyondTheTable() {
        offer(SIZE);
        assertMalformed("chain head 8");
    }

    @Test
    void aLoopInTheChain() {
        desc(DESC, 0, 0x4000, 1, Virtqueue.DESC_F_NEXT, 1);
        desc(DESC, 1, 0x4000, 1, Virtqueue.DESC_F_NEXT, 0);
        offer(0);
        assertMalformed("a loop");
    }

    @Test
    void aLinkBeyondTheTable() {
        desc(DESC, 0, 0x4000, 1, Virtqueue.DESC_F_NEXT, 9);
        offer(0);
        assertMalformed("beyond the table");
    }

    @Test
    void aBufferOutsideRam() {
        desc(DESC, 0, 0xFFFF_0000L, 16, Virtqueue.DESC_F_WRITE, 0);
        offer(0);
        assertMalformed("not in RAM");
    }

    @Test
    void aBufferThatWrapsTheAddressSpace() {
        desc(DESC, 0, -8L, 16, 0, 0);
        offer(0);
        assertMalformed("not in RAM");
    }

    @Test
    void readableAfterWritable() {
        desc(DESC, 0, 0x5000, 4, Virtqueue.DESC_F_WRITE | Virtqueue.DESC_F_NEXT, 1);
        desc(DESC, 1, 0x4000, 4, 0, 0);
        offer(0);
        assertMalformed("after a device-writable");
    }

    @Test
    void nestedIndirectTables() {
        long table = 0x6000;
        desc(table, 0, 0x7000, 16, Virtqueue.DESC_F_INDIRECT, 0);
        desc(DESC, 0, table, 16, Virtqueue.DESC_F_INDIRECT, 0);
        offer(0);
        assertMalformed("inside an indirect table");
    }

    @Test
    void indirectTableOfBadLength() {
        desc(DESC, 0, 0x6000, 20, Virtqueue.DESC_F_INDIRECT, 0);
        offer(0);
        assertMalformed("multiple of 16");
    }

    @Test
    void aLoopInsideAnIndirectTable() {
        long table = 0x6000;
        desc(table, 0, 0x4000, 1, Virtqueue.DESC_F_NEXT, 1);
        desc(table, 1, 0x4000, 1, Virtqueue.DESC_F_NEXT, 0);
        desc(DESC, 0, table, 32, Virtqueue.DESC_F_INDIRECT, 0);
        offer(0);
        assertMalformed("a loop");
    }

    @Test
    void theDriverRunsAheadByMoreThanTheQueue() {
        ram.put(AVAIL + 2, 2, SIZE + 1);
        assertMalformed("ahead of the device");
    }

    @Test
    void ringLayoutRules() {
        q.size = 6;
        VirtioException e = assertThrows(VirtioException.class, () -> q.checkLayout(ram));
        assertTrue(e.getMessage().contains("power of two"), e.getMessage());
        q.size = 16;
        assertThrows(VirtioException.class, () -> q.checkLayout(ram), "above the maximum");
        q.size = SIZE;
        q.desc = DESC + 8;
        assertTrue(assertThrows(VirtioException.class, () -> q.checkLayout(ram)).getMessage().contains("misaligned"));
        q.desc = 0xFFF0;
        assertTrue(assertThrows(VirtioException.class, () -> q.checkLayout(ram)).getMessage().contains("descriptor table"));
        q.desc = DESC;
        q.device = 0x1_0000_0000L;
        assertTrue(assertThrows(VirtioException.class, () -> q.checkLayout(ram)).getMessage().contains("device ring"));
    }

    @Test
    void randomDescriptorTablesGiveOnlyTypedErrors() {
        java.util.Random r = new java.util.Random(14);
        for (int round = 0; round < 20_000; round++) {
            for (int i = 0; i < SIZE; i++) {
                long addr = r.nextBoolean() ? 0x4000 + r.nextInt(0x4000) : r.nextLong();
                desc(DESC, i, addr, r.nextBoolean() ? r.nextInt(64) : r.nextInt(), r.nextInt(8), r.nextInt(SIZE + 2));
            }
            Virtqueue fresh = new Virtqueue(SIZE);
            fresh.restore(new Virtqueue.State(SIZE, true, DESC, AVAIL, USED, 0, 0));
            ram.put(AVAIL + 2, 2, 1);
            ram.put(AVAIL + 4, 2, r.nextInt(SIZE + 1));
            try {
                fresh.drain(ram, r.nextBoolean(), echo);
            } catch (VirtioException expected) {
                // the architectural answer
            }
        }
    }
}
