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
        return vcpu(arena.allocate(1 << 20, 4096));
    }

    static SoftVcpu vcpu(MemorySegment ram) throws Exception {
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

    /**
     * Regression (GuestBootIT, soft main job: "replay: MMIO_READ 0xfeb00000 at position 0; log: nothing there"):
     * a window opened between an MMIO read's completion and the re-execution of its instruction; that
     * instruction then retired inside the window without an MMIO_READ event. The counter finishes it first.
     */
    @Test
    void anMmioReadCompletedBeforeTheStartRetiresBeforePositionZero() throws Exception {
        // mov rax,[0x180000] (in the mapped 2 MiB page, outside the 1 MiB of RAM: MMIO); inc rax; hlt
        byte[] code = {0x48, (byte) 0x8B, 0x04, 0x25, 0x00, 0x00, 0x18, 0x00, 0x48, (byte) 0xFF, (byte) 0xC0, (byte) 0xF4};
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ram = arena.allocate(1 << 20, 4096);
            SoftVcpu v = vcpu(ram);
            MemorySegment.copy(code, 0, ram, ValueLayout.JAVA_BYTE, 0x10000, code.length);
            VmExit e = v.run();
            assertInstanceOf(VmExit.MmioRead.class, e);
            v.complete(e, ExitResult.value(41));
            try (PositionCounter c = new SoftExactPositionService().start(v, null, null)) {
                assertEquals(0, c.position());
                assertEquals(41, v.registers().rax(), "the read retired before position 0");
                assertEquals(new VmExit.Hlt(false), c.run());
                assertEquals(2, c.position()); // inc, hlt
                assertEquals(42, v.registers().rax());
            }
        }
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

    /**
     * An interrupt injected before a run that a kick ended at once is still queued in the CPU; a window
     * starting there must not count its delivery or run its handler unlogged: the counter delivers it
     * before position 0, so the window begins in the handler.
     */
    @Test
    void anInterruptQueuedBeforeTheCounterStartsIsDeliveredBeforePositionZero() throws Exception {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ram = arena.allocate(1 << 20, 4096);
            SoftVcpu v = vcpu(ram);
            long handler = 0x11000;
            ram.set(ValueLayout.JAVA_BYTE, handler, (byte) 0x48); // iretq
            ram.set(ValueLayout.JAVA_BYTE, handler + 1, (byte) 0xCF);
            long gate = 0x5000 + 0x20 * 16;
            ValueLayout.OfLong L = ValueLayout.JAVA_LONG_UNALIGNED;
            ram.set(L, gate, (handler & 0xFFFF) | (0x08L << 16) | (0x8EL << 40) | ((handler >>> 16 & 0xFFFF) << 48));
            ram.set(L, gate + 8, handler >>> 32);
            ram.set(L, 0x6008, 0x00AF9B000000FFFFL); // GDT: code64 at 0x08 (delivery loads CS from it)
            ram.set(L, 0x6010, 0x00CF93000000FFFFL); // data at 0x10
            SpecialRegisters sr = v.specialRegisters();
            v.setSpecialRegisters(new SpecialRegisters(sr.cs(), sr.ds(), sr.es(), sr.fs(), sr.gs(), sr.ss(), sr.tr(), sr.ldt(),
                    new SpecialRegisters.DescriptorTable(0x6000, 23), new SpecialRegisters.DescriptorTable(0x5000, 0xFFF), sr.cr0(), sr.cr2(), sr.cr3(), sr.cr4(),
                    sr.cr8(), sr.efer(), sr.apicBase()));
            long[] r = v.registers().toArray();
            r[17] = 0x202; // IF
            v.setRegisters(Registers.fromArray(r));
            v.injectInterrupt(0x20);
            v.kick();
            assertInstanceOf(VmExit.Interrupted.class, v.run()); // the kick wins: the interrupt stays queued
            try (PositionCounter c = new SoftExactPositionService().start(v, null, null)) {
                assertEquals(handler, v.registers().rip(), "delivered before position 0");
                assertEquals(0, c.position());
                assertInstanceOf(VmExit.Interrupted.class, c.runUntil(1)); // the iretq
                assertEquals(1, c.position());
                assertEquals(0x10000, v.registers().rip());
            }
        }
    }
}
