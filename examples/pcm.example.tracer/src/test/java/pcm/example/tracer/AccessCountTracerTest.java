package pcm.example.tracer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import pcm.core.api.tracer.IoTransactionListener;
import pcm.core.api.tracer.MemoryAccessListener;
import pcm.core.api.tracer.TraceData;
import pcm.core.api.tracer.TraceWindow;
import pcm.core.api.tracer.TracerUnavailableException;

class AccessCountTracerTest {

    /** A window whose backend reports memory accesses (soft) or not (kvm); keeps the listener to play accesses. */
    static final class FakeWindow implements TraceWindow {
        final String id, backend;
        MemoryAccessListener listener;

        FakeWindow(String id, String backend) { this.id = id; this.backend = backend; }
        public String windowId() { return id; }
        public String backend() { return backend; }
        public long position() { return 0; }
        public boolean onMemoryAccess(MemoryAccessListener l) {
            if (backend.equals("kvm")) return false;
            listener = l;
            return true;
        }
        public void onIoTransaction(IoTransactionListener l) {}
    }

    @Test
    void countsEachWindowsLoadsStoresAndBytes() throws Exception {
        AccessCountTracer t = new AccessCountTracer();
        FakeWindow w = new FakeWindow("w1", "soft");
        t.arm(w);
        w.listener.access(1, 0x1000, false, 8, 0);
        w.listener.access(2, 0x2000, true, 4, 0);
        w.listener.access(3, 0x2000, false, 1, 0);
        TraceData d = t.drainTrace(w);
        assertEquals(AccessCountTracer.FORMAT, d.format());
        assertEquals(3, d.records());
        assertEquals("loads=2\nstores=1\nbytes=13\n", new String(d.data(), StandardCharsets.UTF_8));

        FakeWindow next = new FakeWindow("w2", "soft");
        t.arm(next);
        assertEquals("loads=0\nstores=0\nbytes=0\n", new String(t.drainTrace(next).data(), StandardCharsets.UTF_8));
        assertNull(t.drainTrace(w), "a window it is not armed for");
    }

    @Test
    void unavailableWhereTheBackendReportsNoAccesses() {
        TracerUnavailableException e = assertThrows(TracerUnavailableException.class,
                () -> new AccessCountTracer().arm(new FakeWindow("w1", "kvm")));
        assertEquals("backend kvm reports no guest memory accesses", e.getMessage());
    }
}
