package pcm.softcpu.internal.position;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.reflect.Proxy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import pcm.core.api.cpu.Registers;
import pcm.core.api.cpu.Segment;
import pcm.core.api.cpu.SpecialRegisters;
import pcm.core.api.cpu.VirtualCpu;
import pcm.core.api.exit.ExitResult;
import pcm.core.api.sampling.PositionCounter;
import pcm.core.api.vm.VmExit;
import pcm.softcpu.internal.SoftVcpu;

@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SoftExactPositionServiceTest {

    /** nop x3; rdtsc; nop; in al,0x60; jmp back to the start (a loop of 7 instructions). */
    static final byte[] CODE = {(byte) 0x90, (byte) 0x90, (byte) 0x90, 0x0F, 0x31, (byte) 0x90, (byte) 0xE4, 0x60,
        (byte) 0xEB, (byte) 0xF6};

    static SoftVcpu vcpu(Arena arena) throws Exception {
        MemorySegment ram = arena.allocate(1 << 20, 4096);
        ValueLayout.OfLong L = ValueLayout.JAVA_LONG_UNALIGNED;
        ram.set(L, 0x2000, 0x3000 | 7);
        ram.set(L, 0x3000, 0x4000 | 7);
        ram.set(L, 0x4000, 0x87); // 2 MiB page at 0
        MemorySegment.copy(CODE, 0, ram, ValueLayout.JAVA_BYTE, 0x10000, CODE.length);
        SoftVcpu v = SoftVcpu.standalone(ram);
        Segment data = Segment.data(0x10, 0);
        v.setSpecialRegisters(new SpecialRegisters(Segment.code64(0x08, 0), data, data, data, data, data,
                new Segment(0, 0x67, 0, 0xB, true, 0, false, false, false, false, false, false),
                new Segment(0, 0, 0, 0x2, true, 0, false, false, false, false, false, false),
                new SpecialRegisters.DescriptorTable(0, 0), new SpecialRegisters.DescriptorTable(0, 0),
                0x80010033L, 0, 0x2000, 0x20, 0, 0xD00, 0));
        v.setRegisters(new Registers(0, 0, 0, 0, 0, 0, 0x8000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10000, 2));
        return v;
    }

    @Test
    void countsExactlyAndPositionsExitsBeforeTheExitingInstruction() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            SoftVcpu v = vcpu(arena);
            SoftExactPositionService s = new SoftExactPositionService();
            assertTrue(s.supports(v));
            assertFalse(s.supports((VirtualCpu) Proxy.newProxyInstance(getClass().getClassLoader(),
                    new Class<?>[] {VirtualCpu.class}, (p, m, a) -> null)));
            v.runUntil(2); // start counting in the middle
            try (PositionCounter c = s.start(v, null, null)) {
                assertEquals(0, c.position());
                VmExit e = c.run(); // rdtsc is instruction 4 of the loop: 1 more nop before it
                assertInstanceOf(VmExit.Nondeterministic.class, e);
                assertEquals(1, c.position()); // instructions before the RDTSC
                v.complete(e, ExitResult.value(5));
                assertEquals(2, c.position()); // the RDTSC retired
                e = c.run();
                assertInstanceOf(VmExit.PortIn.class, e);
                assertEquals(3, c.position());
                v.complete(e, ExitResult.value(1));
                assertEquals(4, c.position());
                for (long target : new long[] {5, 6, 11, 12, 1000, 1001}) {
                    while (c.position() < target) { // completing an exit may reach the target too
                        e = c.runUntil(target);
                        if (e instanceof VmExit.Interrupted) break;
                        v.complete(e, ExitResult.value(0));
                    }
                    assertEquals(target, c.position());
                }
                assertInstanceOf(VmExit.Nondeterministic.class, c.runUntil(0)); // below: like run()
            }
        }
    }
}
