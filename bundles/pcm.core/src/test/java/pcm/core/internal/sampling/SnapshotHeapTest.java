package pcm.core.internal.sampling;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import pcm.core.api.sampling.SamplingException;

/**
 * A copy of guest RAM that does not fit the heap fails its window, never the guest (stop 24: Debian's Linux with 256
 * MiB in the emulated SVM host's 512 MiB default heap; the OutOfMemoryError of the final snapshot ended the vCPU thread
 * and the run reported "guest stopped: status 0 ()").
 */
class SnapshotHeapTest {

    @TempDir Path dir;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        Collections.reverse(closing);
        for (AutoCloseable c : closing) c.close();
    }

    private SamplingEngine engine(TestVm vm) {
        return ScriptedWindows.engine(dir, vm, closing);
    }

    @Test
    void theFinalSnapshotRunningOutOfHeapFailsTheWindowAndTheGuestRunsOn() throws Exception {
        TestVm vm = new TestVm(SamplingEngineTest.program());
        closing.add(vm);
        SamplingEngine e = engine(vm);
        vm.provider.outOfMemoryAt = vm.provider.snapshots.get() + 2; // the initial snapshot works, the final one does not
        SamplingException x = assertThrows(SamplingException.class, () -> e.sampleNow(50, 30_000));
        assertTrue(x.getMessage().contains("does not fit the JVM's heap"), x.getMessage());
        assertEquals(1, vm.stopped.getCount(), "the vCPU loop ended: " + x.getMessage());
    }

    @Test
    void theInitialSnapshotRunningOutOfHeapFailsTheWindowAndTheGuestRunsOn() throws Exception {
        TestVm vm = new TestVm(SamplingEngineTest.program());
        closing.add(vm);
        SamplingEngine e = engine(vm);
        vm.provider.outOfMemoryAt = vm.provider.snapshots.get() + 1;
        SamplingException x = assertThrows(SamplingException.class, () -> e.sampleNow(50, 30_000));
        assertTrue(x.getMessage().contains("does not fit the JVM's heap"), x.getMessage());
        assertEquals(1, vm.stopped.getCount(), "the vCPU loop ended: " + x.getMessage());
    }
}
