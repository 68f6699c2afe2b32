package pcm.vmx.internal.kvm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import org.junit.jupiter.api.Test;

import pcm.core.api.vm.VmExit;

/** String I/O splitting and exit decoding on a synthetic kvm_run page (no KVM needed). */
class ExitDecoderTest {

    private static MemorySegment io(Arena a, int dir, int size, int port, int count) {
        MemorySegment run = a.allocate(8192, 4096);
        run.set(JAVA_INT, KvmLayouts.RUN_EXIT_REASON, KvmApi.KVM_EXIT_IO);
        run.set(JAVA_BYTE, KvmLayouts.RUN_IO_DIRECTION, (byte) dir);
        run.set(JAVA_BYTE, KvmLayouts.RUN_IO_SIZE, (byte) size);
        run.set(JAVA_SHORT, KvmLayouts.RUN_IO_PORT, (short) port);
        run.set(JAVA_INT, KvmLayouts.RUN_IO_COUNT, count);
        run.set(JAVA_LONG, KvmLayouts.RUN_IO_DATA_OFFSET, 4096);
        return run;
    }

    @Test
    void layoutsMatchTheKernel() {
        KvmLayouts.check();
    }

    @Test
    void stringOutIsSplitIntoUnits() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment run = io(a, KvmApi.KVM_EXIT_IO_OUT, 2, 0x3f8, 3);
            run.asSlice(4096, 6).copyFrom(MemorySegment.ofArray(new byte[] {1, 2, 3, 4, 5, 6}));
            ExitDecoder d = new ExitDecoder(run);
            assertEquals(new VmExit.PortOut(0x3f8, 2, 0x0201), d.decode());
            assertTrue(d.hasPendingUnits());
            assertEquals(new VmExit.PortOut(0x3f8, 2, 0x0403), d.nextUnit());
            assertEquals(new VmExit.PortOut(0x3f8, 2, 0x0605), d.nextUnit());
            assertFalse(d.hasPendingUnits());
        }
    }

    @Test
    void stringInFillsEachSlot() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment run = io(a, KvmApi.KVM_EXIT_IO_IN, 4, 0x60, 3);
            ExitDecoder d = new ExitDecoder(run);
            assertEquals(new VmExit.PortIn(0x60, 4), d.decode());
            d.completePortIn(0x11111111);
            assertEquals(new VmExit.PortIn(0x60, 4), d.nextUnit());
            d.completePortIn(0x22222222);
            assertEquals(new VmExit.PortIn(0x60, 4), d.nextUnit());
            d.completePortIn(0x33333333);
            assertFalse(d.hasPendingUnits());
            assertEquals(0x11111111, run.get(JAVA_INT, 4096));
            assertEquals(0x22222222, run.get(JAVA_INT, 4100));
            assertEquals(0x33333333, run.get(JAVA_INT, 4104));
        }
    }

    @Test
    void otherExits() {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment run = a.allocate(8192, 4096);
            ExitDecoder d = new ExitDecoder(run);
            run.set(JAVA_INT, KvmLayouts.RUN_EXIT_REASON, KvmApi.KVM_EXIT_SHUTDOWN);
            assertEquals(new VmExit.Shutdown(-1, "triple fault (KVM_EXIT_SHUTDOWN)"), d.decode());
            run.set(JAVA_INT, KvmLayouts.RUN_EXIT_REASON, KvmApi.KVM_EXIT_HLT);
            run.set(JAVA_BYTE, KvmLayouts.RUN_IF_FLAG, (byte) 1);
            assertEquals(new VmExit.Hlt(true), d.decode());
            run.set(JAVA_INT, KvmLayouts.RUN_EXIT_REASON, KvmApi.KVM_EXIT_INTERNAL_ERROR);
            run.set(JAVA_INT, KvmLayouts.RUN_INTERNAL_SUBERROR, 1);
            run.set(JAVA_INT, KvmLayouts.RUN_INTERNAL_NDATA, 3);
            run.set(JAVA_LONG, KvmLayouts.RUN_INTERNAL_DATA, 1);
            run.set(JAVA_BYTE, KvmLayouts.RUN_INTERNAL_DATA + 8, (byte) 2);
            run.set(JAVA_BYTE, KvmLayouts.RUN_INTERNAL_DATA + 9, (byte) 0xf3);
            run.set(JAVA_BYTE, KvmLayouts.RUN_INTERNAL_DATA + 10, (byte) 0x0f);
            VmExit.InternalError ie = assertInstanceOf(VmExit.InternalError.class, d.decode());
            assertEquals(1, ie.suberror());
            assertTrue(ie.detail().contains("emulation failure"), ie.detail());
            assertTrue(ie.detail().endsWith("instruction bytes f3 0f"), ie.detail());
            run.set(JAVA_INT, KvmLayouts.RUN_EXIT_REASON, 37);
            ie = assertInstanceOf(VmExit.InternalError.class, d.decode());
            assertEquals(-37, ie.suberror());
            assertTrue(ie.detail().contains("KVM_EXIT_NOTIFY"), ie.detail());
        }
    }

    @Test
    void errnoNames() {
        assertEquals("EINVAL (22)", Errno.describe(22));
        assertEquals("KVM_SET_SREGS failed: EINVAL (22)", Errno.fail("KVM_SET_SREGS", 22).getMessage());
        assertEquals("errno 999", Errno.name(999));
    }
}
