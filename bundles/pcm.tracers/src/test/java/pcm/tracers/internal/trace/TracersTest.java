package pcm.tracers.internal.trace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import pcm.core.api.tracer.IoTrace;
import pcm.core.api.tracer.IoTransactionListener;
import pcm.core.api.tracer.IoTransactionListener.Type;
import pcm.core.api.tracer.MemoryAccessListener;
import pcm.core.api.tracer.MemoryTrace;
import pcm.core.api.tracer.TraceData;
import pcm.core.api.tracer.TraceWindow;
import pcm.core.api.tracer.TracerUnavailableException;

/** The MTR and ITR emulations: their record formats, bounded buffers (overflow as the hardware's), availability. */
class TracersTest {

    /** A window whose hooks the test drives; {@code memoryHook=false} is KVM. */
    static final class FakeWindow implements TraceWindow {
        final boolean memoryHook;
        MemoryAccessListener memory;
        IoTransactionListener io;

        FakeWindow(boolean memoryHook) { this.memoryHook = memoryHook; }

        @Override public String windowId() { return "w1"; }
        @Override public String backend() { return memoryHook ? "soft" : "kvm"; }
        @Override public long position() { return 0; }
        @Override public boolean onMemoryAccess(MemoryAccessListener l) {
            if (!memoryHook) return false;
            memory = l;
            return true;
        }
        @Override public void onIoTransaction(IoTransactionListener l) { io = l; }
    }

    @Test
    void memoryTracerRecordsEveryAccessInItsFormat() throws Exception {
        MemoryTracer mtr = new MemoryTracer(1 << 20);
        FakeWindow w = new FakeWindow(true);
        mtr.arm(w);
        List<MemoryTrace.Access> sent = List.of(
                new MemoryTrace.Access(0, 0x7FF8, true, 8, 0x1122334455667788L),
                new MemoryTrace.Access(0, 0x7FF8, false, 8, 0x1122334455667788L),
                new MemoryTrace.Access(3, 0x1000, false, 1, 0xAB),
                new MemoryTrace.Access(1_000_000, 0xFFFF_F000L, true, 4, 0xDEADBEEFL),
                new MemoryTrace.Access(1_000_001, 0x10, true, 2, 0xFFFF));
        for (MemoryTrace.Access a : sent) w.memory.access(a.position(), a.gpa(), a.write(), a.size(), a.data());

        TraceData d = mtr.drainTrace(w);

        assertEquals(MemoryTrace.FORMAT, d.format());
        assertEquals(5, d.records());
        assertEquals(0, d.dropped());
        assertEquals(sent, MemoryTrace.decode(d.data()));
        // flags, Δposition, zigzag Δgpa, data: the first record is 1 + 1 + 3 + 8 bytes, the same address again 1 + 1 + 1 + 8
        assertEquals(0x88, d.data()[0] & 0xFF);
        assertEquals(13 + 11 + (1 + 1 + 3 + 1) + (1 + 3 + 5 + 4) + (1 + 1 + 5 + 2), d.data().length);
    }

    @Test
    void aFullBufferKeepsTheFirstRecordsAndCountsTheDropped() throws Exception {
        MemoryTracer mtr = new MemoryTracer(100);
        FakeWindow w = new FakeWindow(true);
        mtr.arm(w);
        for (int i = 0; i < 50; i++) w.memory.access(i, 0x2000 + 8L * i, true, 8, i); // 13 bytes, then 11 each

        TraceData d = mtr.drainTrace(w);

        assertEquals(8, d.records(), "13 + 7 x 11 bytes fit in 100, the 9th record not");
        assertEquals(42, d.dropped());
        assertEquals(90, d.data().length);
        List<MemoryTrace.Access> kept = MemoryTrace.decode(d.data());
        assertEquals(7, kept.getLast().position(), "the first records are kept, as the hardware's buffer does");
    }

    @Test
    void onABackendWithoutTheHookTheMemoryTracerSaysItIsUnavailable() {
        TracerUnavailableException e = assertThrows(TracerUnavailableException.class, () -> new MemoryTracer(1 << 20).arm(new FakeWindow(false)));
        assertTrue(e.getMessage().contains("KVM has no hook"), e.getMessage());
    }

    @Test
    void ioTracerRecordsPortMmioAndDmaWithTheirData() {
        IoTracer itr = new IoTracer(1 << 20);
        FakeWindow w = new FakeWindow(false);
        itr.arm(w);
        byte[] dma = {1, 2, 3, 4, 5};
        w.io.transaction(Type.PORT_OUT, 5, 0x3F8, 1, 'A', null);
        w.io.transaction(Type.PORT_IN, 9, 0x3FD, 1, 0x60, null);
        w.io.transaction(Type.DMA_WRITE, 9, 0x8000, 5, 0, dma);
        w.io.transaction(Type.MMIO_READ, 12, 0xFEB00000L, 4, 0x12345678, null);
        w.io.transaction(Type.MMIO_WRITE, 40, 0xFEE000B0L, 4, 0, null);

        TraceData d = itr.drainTrace(w);

        assertEquals(IoTrace.FORMAT, d.format());
        assertEquals(5, d.records());
        List<IoTrace.Transaction> got = IoTrace.decode(d.data());
        assertEquals(List.of("PORT_OUT@5 0x3f8/1=0x41", "PORT_IN@9 0x3fd/1=0x60", "DMA_WRITE@9 0x8000/5 (5 bytes)",
                "MMIO_READ@12 0xfeb00000/4=0x12345678", "MMIO_WRITE@40 0xfee000b0/4=0x0"), got.stream().map(Object::toString).toList());
        assertArrayEquals(dma, got.get(2).data());
        assertNull(got.get(0).data());
    }

    @Test
    void aDrainWithoutArmIsAnEmptyTraceAndGarbageIsATypedError() {
        assertEquals(0, new MemoryTracer(1 << 20).drainTrace(new FakeWindow(true)).data().length);
        assertThrows(IllegalArgumentException.class, () -> MemoryTrace.decode(new byte[] {0x03, 0, 0}));
        assertThrows(IllegalArgumentException.class, () -> MemoryTrace.decode(new byte[] {0x08, 0, 0, 1}));
        assertThrows(IllegalArgumentException.class, () -> IoTrace.decode(new byte[] {9, 0, 0, 0}));
        List<Object> none = new ArrayList<>();
        MemoryTrace.forEach(new byte[0], none::add);
        assertEquals(0, none.size());
    }
}
