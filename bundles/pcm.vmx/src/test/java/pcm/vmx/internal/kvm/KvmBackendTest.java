package pcm.vmx.internal.kvm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import pcm.core.api.cpu.BackendException;
import pcm.core.api.cpu.CpuidMask;
import pcm.core.api.cpu.HostInfo;
import pcm.core.api.cpu.Registers;
import pcm.core.api.cpu.SpecialRegisters;
import pcm.core.api.exit.ExitResult;
import pcm.core.api.vm.VmExit;

/** Runs tiny long-mode guests on the real /dev/kvm; skipped (with the reason) when KVM is unusable. */
class KvmBackendTest {

    static KvmHypervisor hv;

    @BeforeAll
    static void open() {
        hv = KvmHypervisor.standard();
        HostInfo info = hv.hostInfo();
        System.out.println("host: " + info.kind() + " - " + info.description());
    }

    /** Per test, not in {@code @BeforeAll}: so each test is reported as skipped, with the reason. */
    @BeforeEach
    void kvmUsable() {
        Assumptions.assumeTrue(hv.hostInfo().available(), () -> "KVM not usable here: " + hv.hostInfo().problem());
    }

    @AfterAll
    static void close() {
        if (hv != null) {
            hv.close();
        }
    }

    static VmExit.PortOut out(VmExit e) {
        return assertInstanceOf(VmExit.PortOut.class, e);
    }

    @Test
    void hostKindIsReported() {
        HostInfo info = hv.hostInfo();
        if (Files.isDirectory(Path.of("/sys/module/kvm_pvm"))) {
            assertEquals(HostInfo.Kind.PVM, info.kind());
            assertTrue(info.description().contains("PVM"), info.description());
        } else {
            assertEquals(HostInfo.Kind.HARDWARE, info.kind());
        }
        assertTrue(info.description().startsWith("KVM API 12 on "), info.description());
    }

    @Test
    void portIoOfEverySize() throws Exception {
        try (TestGuest g = new TestGuest(hv, "b011e68066b8332266e782b877665544e78466baf803b0abee31c0e48089c331c066e58289c1e58489c666ba341266ed89c7f4", false)) {
            KvmVcpu c = g.cpu;
            assertEquals(new VmExit.PortOut(0x80, 1, 0x11), c.run());
            assertEquals(new VmExit.PortOut(0x82, 2, 0x2233), c.run());
            assertEquals(new VmExit.PortOut(0x84, 4, 0x44556677L), c.run());
            assertEquals(new VmExit.PortOut(0x3f8, 1, 0xab), c.run());
            VmExit e = c.run();
            assertEquals(new VmExit.PortIn(0x80, 1), e);
            c.complete(e, ExitResult.value(0x5a));
            e = c.run();
            assertEquals(new VmExit.PortIn(0x82, 2), e);
            c.complete(e, ExitResult.value(0xbeef));
            e = c.run();
            assertEquals(new VmExit.PortIn(0x84, 4), e);
            c.complete(e, ExitResult.value(0xdeadbeefL));
            e = c.run();
            assertEquals(new VmExit.PortIn(0x1234, 2), e);
            c.complete(e, ExitResult.value(0xffff1122L)); // only the low 2 bytes count
            assertEquals(new VmExit.Hlt(false), c.run());
            Registers r = c.registers();
            assertEquals(0x5a, r.rbx());
            assertEquals(0xbeef, r.rcx());
            assertEquals(0xdeadbeefL, r.rsi());
            assertEquals(0xdead1122L, r.rdi());
        }
    }

    @Test
    void repOutsIsSplitIntoUnits() throws Exception {
        try (TestGuest g = new TestGuest(hv, "be00000200b90500000066bae900f36ebe10000200b90300000066f36ff4", false)) {
            g.put(TestGuest.DATA, "Hello".getBytes(StandardCharsets.US_ASCII));
            g.put(TestGuest.DATA + 0x10, TestGuest.hex("111122223333"));
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < 5; i++) {
                VmExit.PortOut o = out(g.cpu.run());
                assertEquals(0xe9, o.port());
                assertEquals(1, o.size());
                sb.append((char) o.data());
            }
            assertEquals("Hello", sb.toString());
            for (long w : new long[] {0x1111, 0x2222, 0x3333}) {
                assertEquals(new VmExit.PortOut(0xe9, 2, w), g.cpu.run());
            }
            assertEquals(new VmExit.Hlt(false), g.cpu.run());
            System.out.println("rep outs: 8 unit exits from " + g.cpu.kvmRuns() + " KVM_RUN calls");
        }
    }

    @Test
    void repInsFillsMemory() throws Exception {
        try (TestGuest g = new TestGuest(hv, "bf00010200b90400000066ba6000f36cbf00020200b90200000066ba6400f36df4", false)) {
            for (int i = 0; i < 4; i++) {
                VmExit e = g.cpu.run();
                assertEquals(new VmExit.PortIn(0x60, 1), e);
                g.cpu.complete(e, ExitResult.value(0xA1 + i));
            }
            for (long v : new long[] {0x11223344L, 0x55667788L}) {
                VmExit e = g.cpu.run();
                assertEquals(new VmExit.PortIn(0x64, 4), e);
                g.cpu.complete(e, ExitResult.value(v));
            }
            assertEquals(new VmExit.Hlt(false), g.cpu.run());
            byte[] got = g.ram.asSlice(TestGuest.DATA + 0x100, 5).toArray(JAVA_BYTE);
            assertArrayEquals(TestGuest.hex("a1a2a3a400"), got);
            assertEquals(0x11223344, g.ram.get(JAVA_INT, TestGuest.DATA + 0x200));
            assertEquals(0x55667788, g.ram.get(JAVA_INT, TestGuest.DATA + 0x204));
            assertEquals(0x20208, g.cpu.registers().rdi());
        }
    }

    @Test
    void mmioReadsAndWrites() throws Exception {
        try (TestGuest g = new TestGuest(hv, "bb0000003048b88877665544332211488903c74320feca0000488b4b088b53100fb67318f4", false)) {
            KvmVcpu c = g.cpu;
            assertEquals(new VmExit.MmioWrite(0x30000000L, 8, 0x1122334455667788L), c.run());
            assertEquals(new VmExit.MmioWrite(0x30000020L, 4, 0xcafe), c.run());
            VmExit e = c.run();
            assertEquals(new VmExit.MmioRead(0x30000008L, 8), e);
            c.complete(e, ExitResult.value(0x0102030405060708L));
            e = c.run();
            assertEquals(new VmExit.MmioRead(0x30000010L, 4), e);
            c.complete(e, ExitResult.value(0x99aabbccL));
            e = c.run();
            assertEquals(new VmExit.MmioRead(0x30000018L, 1), e);
            c.complete(e, ExitResult.value(0x7f));
            assertEquals(new VmExit.Hlt(false), c.run());
            Registers r = c.registers();
            assertEquals(0x0102030405060708L, r.rcx());
            assertEquals(0x99aabbccL, r.rdx());
            assertEquals(0x7f, r.rsi());
        }
    }

    @Test
    void cpuidAtCpl0IsAnsweredByKvm() throws Exception {
        try (TestGuest g = new TestGuest(hv, "31c031c90fa24189d84189d14189cab80100000031c90fa24189cbf4", false)) {
            assertEquals(new VmExit.Hlt(false), g.cpu.run());
            Registers r = g.cpu.registers();
            CpuidEntry l0 = KvmVcpu.find(g.cpu.cpuid(), 0, 0);
            assertNotNull(l0);
            assertEquals(l0.ebx(), (int) r.r8());
            assertEquals(l0.edx(), (int) r.r9());
            assertEquals(l0.ecx(), (int) r.r10());
            String vendor = new String(MemorySegment.ofArray(new int[] {l0.ebx(), l0.edx(), l0.ecx()})
                    .toArray(JAVA_BYTE), StandardCharsets.US_ASCII);
            CpuidEntry l1 = KvmVcpu.find(g.cpu.cpuid(), 1, 0);
            System.out.printf("CPL0 cpuid: vendor %s, leaf1 ecx guest %08x table %08x%n", vendor, (int) r.r11(), l1.ecx());
            assertEquals(l1.ecx() & ~(1 << 27), (int) r.r11() & ~(1 << 27)); // OSXSAVE follows CR4
        }
    }

    /**
     * KVM on AMD SVM ORs the host's CR4.MCE into the CR4 the hardware runs the guest with, and with nested paging a
     * guest's MOV from CR4 is not intercepted: a guest whose CR4 lacks MCE reads it set, while KVM_GET_SREGS (the
     * window's snapshots) says clear — Linux's first window on the emulated SVM host DIVERGED on the soft verifier at
     * {@code __startup_64}'s {@code mov %cr4,%rax} (stop 24). So PCM's entry states set CR4.MCE (LongModeBoot,
     * pcm.boot's EntryState): then what the guest reads is what the snapshot holds, on every host.
     */
    @Test
    void aGuestReadsTheCr4ItWasGivenWhenMceIsSet() throws Exception {
        long mce = 0x40;
        for (boolean withMce : new boolean[] {false, true}) {
            try (TestGuest g = new TestGuest(hv, "0f20e0f4", false)) { // mov %cr4,%rax; hlt
                SpecialRegisters s = g.cpu.specialRegisters();
                long cr4 = withMce ? s.cr4() | mce : s.cr4() & ~mce;
                g.cpu.setSpecialRegisters(new SpecialRegisters(s.cs(), s.ds(), s.es(), s.fs(), s.gs(), s.ss(), s.tr(), s.ldt(),
                        s.gdt(), s.idt(), s.cr0(), s.cr2(), s.cr3(), cr4, s.cr8(), s.efer(), s.apicBase()));
                assertEquals(new VmExit.Hlt(false), g.cpu.run());
                long read = g.cpu.registers().rax();
                System.out.printf("CR4 given %#x, read by the guest %#x, KVM_GET_SREGS %#x (%s)%n", cr4, read,
                        g.cpu.specialRegisters().cr4(), hv.hostInfo().description());
                if (withMce) {
                    assertEquals(cr4, read, "with CR4.MCE set the guest must read the CR4 it was given");
                } else {
                    assertEquals(cr4, read & ~mce, "only the host's MCE bit may show through");
                }
                assertEquals(cr4, g.cpu.specialRegisters().cr4());
            }
        }
    }

    @Test
    void cpuidMaskIsAppliedOrReported() throws Exception {
        try (TestGuest g = new TestGuest(hv, "f4", false)) {
            CpuidMask hide = new CpuidMask(CpuidMask.LEAF1_ECX_RDRAND, 0,
                    CpuidMask.LEAF7_EBX_RDSEED | CpuidMask.LEAF7_EBX_HLE | CpuidMask.LEAF7_EBX_RTM, 0);
            g.cpu.setCpuid(hide);
            CpuidEntry l1 = KvmVcpu.find(g.cpu.cpuid(), 1, 0), l7 = KvmVcpu.find(g.cpu.cpuid(), 7, 0);
            CpuidMask left = g.cpu.cpuidNotHonoured();
            assertEquals(l1.ecx() & hide.leaf1Ecx(), left.leaf1Ecx());
            assertEquals(l7.ebx() & hide.leaf7Ebx(), left.leaf7Ebx());
            System.out.println("CPUID mask not honoured by this host: " + left);
            if (hv.hostInfo().kind() == HostInfo.Kind.HARDWARE) {
                assertEquals(CpuidMask.NONE, left);
            }
        }
    }

    @Test
    void registerRoundTrips() throws Exception {
        try (TestGuest g = new TestGuest(hv, "f4", false)) {
            KvmVcpu c = g.cpu;
            long[] a = new long[18];
            for (int i = 0; i < 16; i++) {
                a[i] = 0x1111_0000_0000_0000L * (i + 1) + i;
            }
            a[16] = 0x10000;
            a[17] = 0x202 | 0x40 | 0x1; // IF, ZF, CF
            Registers regs = Registers.fromArray(a);
            c.setRegisters(regs);
            assertEquals(regs, c.registers());

            SpecialRegisters s = c.specialRegisters();
            assertEquals(TestGuest.PML4, s.cr3());
            assertEquals(0xD01, s.efer() & 0xD01);
            assertEquals(0x08, s.cs().selector());
            assertTrue(s.cs().l());
            assertEquals(new SpecialRegisters.DescriptorTable(TestGuest.GDT, 0x3F), s.gdt());
            assertEquals(new SpecialRegisters.DescriptorTable(TestGuest.IDT, 0xFFF), s.idt());
            assertEquals(0x30, s.tr().selector());
            assertEquals(TestGuest.TSS, s.tr().base());
            SpecialRegisters s2 = new SpecialRegisters(s.cs(), s.ds(), s.es(), s.fs(), s.gs(), s.ss(), s.tr(), s.ldt(),
                    s.gdt(), new SpecialRegisters.DescriptorTable(0x7000, 0x7FF), s.cr0(), 0xdead000L, s.cr3(),
                    s.cr4(), s.cr8(), s.efer(), s.apicBase());
            c.setSpecialRegisters(s2);
            assertEquals(s2, c.specialRegisters());

            byte[] fx = c.fpuState();
            assertEquals(512, fx.length);
            MemorySegment f = MemorySegment.ofArray(fx);
            f.set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, 0, (short) 0x27f);
            f.set(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 24, 0x1f80 | 0x40);
            for (int i = 0; i < 16; i++) {
                fx[160 + i] = (byte) (i + 1);      // xmm0
                fx[160 + 15 * 16 + i] = (byte) (0x80 + i); // xmm15
                fx[32 + i % 10] = (byte) (0x40 + i); // st0 mantissa/exponent
            }
            c.setFpuState(fx);
            byte[] back = c.fpuState();
            assertArrayEquals(Arrays.copyOfRange(fx, 0, 2), Arrays.copyOfRange(back, 0, 2));
            assertArrayEquals(Arrays.copyOfRange(fx, 24, 28), Arrays.copyOfRange(back, 24, 28));
            assertArrayEquals(Arrays.copyOfRange(fx, 160, 416), Arrays.copyOfRange(back, 160, 416));
            assertArrayEquals(Arrays.copyOfRange(fx, 32, 42), Arrays.copyOfRange(back, 32, 42));

            c.writeMsr(0xC0000102, 0x0000_1234_5678_9abcL); // KERNEL_GS_BASE
            assertEquals(0x0000_1234_5678_9abcL, c.readMsr(0xC0000102));
            c.writeMsr(0xC0000082, 0xffff_ffff_8100_0000L); // LSTAR
            assertEquals(0xffff_ffff_8100_0000L, c.readMsr(0xC0000082));
            BackendException bad = assertThrows(BackendException.class, () -> c.readMsr(0x4fff_fff0));
            assertTrue(bad.getMessage().startsWith("KVM_GET_MSRS failed"), bad.getMessage());

            VcpuEvents ev = c.vcpuEvents();
            c.setVcpuEvents(ev);
            assertEquals(ev, c.vcpuEvents());
            if (hv.system().hasXsave()) {
                byte[] xs = c.xsave();
                assertEquals(4096, xs.length);
                assertArrayEquals(Arrays.copyOfRange(fx, 160, 176), Arrays.copyOfRange(xs, 160, 176));
                c.setXsave(xs);
            }
            if (hv.system().hasXcrs()) {
                System.out.println("XCR0 = 0x" + Long.toHexString(c.xcr0()));
            }
        }
    }

    /**
     * A hardware instruction breakpoint (KVM_GUESTDBG_USE_HW_BP) stops the vCPU before the first instruction of an
     * exception handler the guest entered: what the kvm-step counter's exception watch relies on (ExceptionWatch).
     */
    @Test
    void hardwareBreakpointStopsAtAnExceptionHandlersFirstInstruction() throws Exception {
        Assumptions.assumeTrue(hv.system().hasGuestDebug(), "no KVM_CAP_SET_GUEST_DEBUG");
        // ud2; out 0x80 (CPL0); #UD handler: add qword [rsp], 2; iretq
        try (TestGuest g = new TestGuest(hv, "0f0be680", false)) {
            g.gate(6, TestGuest.HANDLER, 0);
            g.put(TestGuest.HANDLER, "488304240248cf");
            g.cpu.setGuestDebug(0x1 | 0x20000, new long[] {TestGuest.HANDLER, 0, 0, 0, 0, 0, 0, 0x401});
            VmExit e = g.cpu.run();
            if (!(e instanceof VmExit.Debug)) TestGuest.skipOnTheEmulatedHost(e);
            VmExit.Debug d = assertInstanceOf(VmExit.Debug.class, e, "no breakpoint exit at the #UD handler: " + e);
            assertEquals(TestGuest.HANDLER, d.rip());
            assertEquals(1, d.dr6() & 0xF, "DR6 0x" + Long.toHexString(d.dr6()));
            g.cpu.setGuestDebug(0x1 | 0x20000, new long[] {TestGuest.HANDLER, 0, 0, 0, 0, 0, 0, 0x400}); // disarmed
            assertInstanceOf(VmExit.PortOut.class, g.cpu.run());
            g.cpu.setGuestDebug(0, null);
        }
    }

    @Test
    void singleStepGivesOneDebugExitPerInstruction() throws Exception {
        try (TestGuest g = new TestGuest(hv, "9048ffc0b9050000004801c831d2f4", false)) {
            Assumptions.assumeTrue(hv.system().hasGuestDebug(), "no KVM_CAP_SET_GUEST_DEBUG");
            g.cpu.setSingleStep(true);
            List<Long> rips = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                VmExit.Debug d = assertInstanceOf(VmExit.Debug.class, g.cpu.run());
                rips.add(d.rip());
                assertEquals(d.rip(), g.cpu.registers().rip());
                assertEquals(1, d.exception()); // #DB
            }
            assertEquals(List.of(0x10001L, 0x10004L, 0x10009L, 0x1000cL, 0x1000eL), rips);
            assertEquals(6, g.cpu.registers().rax());
            // Stepping HLT: KVM reports the step (Debug after the hlt) and, with no in-kernel irqchip,
            // the halt is dropped; a host may instead report the Hlt itself.
            VmExit e = g.cpu.run();
            if (e instanceof VmExit.Debug d) {
                assertEquals(0x1000fL, d.rip());
            } else {
                assertEquals(new VmExit.Hlt(false), e);
            }
            g.cpu.setSingleStep(false);
        }
    }

    @Test
    void singleStepRate() throws Exception {
        // 1: inc %rax; jmp 1b
        try (TestGuest g = new TestGuest(hv, "48ffc0ebfb", false)) {
            Assumptions.assumeTrue(hv.system().hasGuestDebug(), "no KVM_CAP_SET_GUEST_DEBUG");
            g.cpu.setSingleStep(true);
            int n = 20000;
            long t0 = System.nanoTime();
            for (int i = 0; i < n; i++) {
                assertInstanceOf(VmExit.Debug.class, g.cpu.run());
            }
            long ns = System.nanoTime() - t0;
            assertEquals(n / 2, g.cpu.registers().rax());
            System.out.printf("single-step: %.0f steps/s (%.2f us/step)%n", n * 1e9 / ns, ns / 1e3 / n);
        }
    }

    @Test
    void dirtyLogReportsExactlyTheWrittenPages() throws Exception {
        try (TestGuest g = new TestGuest(hv,
                "c604250010200001c604250030200001c60425083020000248c70425f87f200007000000f4c6042500f0200003c604250110200004f4",
                false)) {
            MemorySegment slot1 = Libc.mmapAnonymous(64 << 10);
            try {
                g.vm.setMemoryRegion(1, 0x200000, slot1, true);
                assertArrayEquals(new long[] {0}, g.vm.dirtyLog(1));
                slot1.set(JAVA_BYTE, 5 * 4096, (byte) 1); // VMM writes are not logged
                assertEquals(new VmExit.Hlt(false), g.cpu.run());
                assertArrayEquals(new long[] {(1 << 1) | (1 << 3) | (1 << 7)}, g.vm.dirtyLog(1));
                assertEquals(new VmExit.Hlt(false), g.cpu.run());
                assertArrayEquals(new long[] {(1 << 1) | (1 << 15)}, g.vm.dirtyLog(1));
                assertArrayEquals(new long[] {0}, g.vm.dirtyLog(1));
                assertEquals(7, slot1.get(java.lang.foreign.ValueLayout.JAVA_LONG, 0x7ff8));
                BackendException ex = assertThrows(BackendException.class, () -> g.vm.dirtyLog(0));
                assertTrue(ex.getMessage().contains("logDirty"), ex.getMessage());
            } finally {
                g.vm.removeMemoryRegion(1);
                Libc.munmap(slot1);
            }
        }
    }

    @Test
    void interruptInjectionRunsTheIdtHandler() throws Exception {
        try (TestGuest g = new TestGuest(hv, "fbf44c89f8e681f4", false)) {
            g.put(TestGuest.HANDLER, TestGuest.hex("49ffc748cf"));
            g.gate(0x20, TestGuest.HANDLER, 0);
            assertEquals(new VmExit.Hlt(true), g.cpu.run());
            assertTrue(g.cpu.canInjectInterrupt());
            g.cpu.injectInterrupt(0x20);
            assertEquals(new VmExit.PortOut(0x81, 1, 1), g.cpu.run());
            assertEquals(new VmExit.Hlt(true), g.cpu.run());
            assertEquals(1, g.cpu.registers().r15());
        }
    }

    @Test
    @Timeout(value = 30, unit = TimeUnit.SECONDS)
    void interruptWindowExit() throws Exception {
        // sti; 1: jmp 1b   (CPL0, no exits of its own); handler: inc %r15; out %al,$0x81; iretq
        try (TestGuest g = new TestGuest(hv, "fbebfe", false)) {
            g.put(TestGuest.HANDLER, TestGuest.hex("49ffc7e68148cf"));
            g.gate(0x20, TestGuest.HANDLER, 0);
            g.cpu.requestInterruptWindow(true);
            long t0 = System.nanoTime();
            VmExit e = g.cpu.run();
            long us = (System.nanoTime() - t0) / 1000;
            assertEquals(new VmExit.InterruptWindow(), e);
            assertTrue(g.cpu.canInjectInterrupt());
            g.cpu.requestInterruptWindow(false);
            g.cpu.injectInterrupt(0x20);
            assertEquals(0x81, out(g.cpu.run()).port());
            assertEquals(1, g.cpu.registers().r15());
            System.out.println("interrupt window exit after " + us + " us (guest spinning at CPL0)");
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void kickStopsAGuestSpinningAtCpl3() throws Exception {
        try (TestGuest g = new TestGuest(hv, "ebfe", true)) {
            KvmVcpu c = g.cpu;
            AtomicLong kickedAt = new AtomicLong();
            AtomicLong runs = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            int n = 300;
            long[] lat = new long[n];
            Thread kicker = new Thread(() -> {
                for (long seen = 0; !stop.get(); ) {
                    while (runs.get() == seen && !stop.get()) {
                        Thread.onSpinWait();
                    }
                    seen = runs.get();
                    LockSupport.parkNanos(ThreadLocalRandom.current().nextLong(200_000, 2_000_000));
                    kickedAt.set(System.nanoTime());
                    c.kick();
                }
            }, "kicker");
            runs.set(1); // let the kicker go
            kicker.start();
            try {
                for (int i = 0; i < n; i++) {
                    VmExit e = c.run();
                    long t = System.nanoTime();
                    assertEquals(ExitDecoder.INTERRUPTED, e);
                    lat[i] = t - kickedAt.get();
                    assertTrue(c.registers().rip() == TestGuest.CODE, "guest left its loop");
                    runs.incrementAndGet();
                }
            } finally {
                stop.set(true);
                kicker.join();
            }
            assertEquals(HostInfo.Kind.PVM == hv.hostInfo().kind() ? 3 : 3, c.specialRegisters().cpl());
            Arrays.sort(lat);
            System.out.printf("kick latency over %d kicks at CPL3: median %.1f us, p99 %.1f us, max %.1f us%n", n,
                    lat[n / 2] / 1e3, lat[n * 99 / 100] / 1e3, lat[n - 1] / 1e3);
            // No bound on the latency itself (wall-clock: 7 ms median inside the emulated SVM host, issue 12): each kick
            // ended its KVM_RUN with INTERRUPTED and the guest was still in its loop, which is what is asserted above.
            assertFalse(pendingInAnotherThread(), "kick signal pending outside the vCPU thread");
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void noKickIsLostUnderLoad() throws Exception {
        // Kicks land at random points: inside KVM_RUN, just before it, and while the vCPU thread handles
        // the previous Interrupted. Every kick must be followed by an Interrupted; busy threads add load.
        try (TestGuest g = new TestGuest(hv, "ebfe", true)) {
            KvmVcpu c = g.cpu;
            AtomicLong interrupted = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> load = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                Thread t = new Thread(() -> {
                    long x = 0;
                    while (!stop.get()) {
                        x += new byte[256].length;
                    }
                    if (x == 42) System.out.print("");
                }, "load-" + i);
                t.start();
                load.add(t);
            }
            int kicks = 3000;
            AtomicLong lost = new AtomicLong();
            Thread kicker = new Thread(() -> {
                ThreadLocalRandom rnd = ThreadLocalRandom.current();
                for (int i = 0; i < kicks && !stop.get(); i++) {
                    long before = interrupted.get();
                    long d = rnd.nextInt(4) == 0 ? 0 : rnd.nextLong(0, 300_000);
                    if (d > 0) LockSupport.parkNanos(d);
                    c.kick();
                    long deadline = System.nanoTime() + 2_000_000_000L;
                    while (interrupted.get() == before && !stop.get()) {
                        if (System.nanoTime() > deadline) {
                            lost.incrementAndGet();
                            c.kick(); // rescue, counted as lost
                            deadline = System.nanoTime() + 2_000_000_000L;
                        }
                        Thread.onSpinWait();
                    }
                }
                stop.set(true);
                c.kick();
            }, "kicker");
            kicker.start();
            while (!stop.get()) {
                VmExit e = c.run();
                if (e instanceof VmExit.Shutdown && Boolean.getBoolean("pcm.svm.emulatedHost")) {
                    // The loop only enters KVM_RUN: nothing here writes the guest's state, and `jmp $` cannot fault, so
                    // a triple fault is the emulator's. QEMU 7.2's nested SVM (TCG) did this once in a few runs of this
                    // stress (stop 27, after ~1,000 of 3,000 kicks); hardware hosts hold the test to Interrupted only.
                    stop.set(true);
                    kicker.join();
                    for (Thread t : load) t.join();
                    org.junit.jupiter.api.Assumptions.abort("the emulated SVM host (QEMU TCG) triple-faulted the L2 guest `jmp $` after "
                            + interrupted.get() + " Interrupted exits (" + e + "): an emulator failure, not a lost kick");
                }
                assertEquals(ExitDecoder.INTERRUPTED, e);
                interrupted.incrementAndGet();
            }
            kicker.join();
            for (Thread t : load) t.join();
            assertEquals(0, lost.get(), "lost kicks");
            System.out.printf("kick stress: %d kicks, %d Interrupted exits, %d KVM_RUN calls, %d signals consumed%n",
                    kicks, interrupted.get(), c.kvmRuns(), c.kicksConsumed());
            assertFalse(pendingInAnotherThread(), "kick signal pending outside the vCPU thread");
        }
    }

    /** sigpending() in a fresh thread: that thread's own pending set plus the process-wide one. */
    static boolean pendingInAnotherThread() throws InterruptedException {
        AtomicBoolean pending = new AtomicBoolean(true);
        Thread t = new Thread(() -> pending.set(KickSignal.pendingHere()));
        t.start();
        t.join();
        return pending.get();
    }

    @Test
    void errorsNameTheIoctlAndErrno() throws Exception {
        try (TestGuest g = new TestGuest(hv, "f4", false)) {
            BackendException e = assertThrows(BackendException.class,
                    () -> g.vm.setMemoryRegion(2, 0x4000_0000L, g.ram.asSlice(1, 4096), false));
            assertTrue(e.getMessage().startsWith("KVM_SET_USER_MEMORY_REGION failed: EINVAL (22)"), e.getMessage());
            assertEquals(22, e.errno());
            e = assertThrows(BackendException.class,
                    () -> g.vm.setMemoryRegion(100_000, 0x4000_0000L, g.ram.asSlice(0, 4096), false));
            assertTrue(e.getMessage().startsWith("KVM_SET_USER_MEMORY_REGION failed: EINVAL (22)"), e.getMessage());
            SpecialRegisters s = g.cpu.specialRegisters();
            SpecialRegisters bad = new SpecialRegisters(s.cs(), s.ds(), s.es(), s.fs(), s.gs(), s.ss(), s.tr(), s.ldt(),
                    s.gdt(), s.idt(), 0x80000000L, s.cr2(), s.cr3(), s.cr4(), s.cr8(), s.efer(), s.apicBase());
            e = assertThrows(BackendException.class, () -> g.cpu.setSpecialRegisters(bad));
            assertEquals("KVM_SET_SREGS failed: EINVAL (22)", e.getMessage());
            System.out.println("error message: " + e.getMessage());
            e = assertThrows(BackendException.class, () -> g.vm.createVcpu(0));
            assertTrue(e.getMessage().startsWith("KVM_CREATE_VCPU failed: EEXIST (17)"), e.getMessage());
        }
    }

    @Test
    void missingDeviceGivesOneClearMessage() throws Exception {
        try (KvmHypervisor none = new KvmHypervisor(Path.of("/nonexistent/kvm"), Path.of("/sys/module"))) {
            HostInfo info = none.hostInfo();
            assertFalse(info.available());
            assertEquals(HostInfo.Kind.NONE, info.kind());
            assertTrue(info.problem().startsWith("/nonexistent/kvm does not exist"), info.problem());
            BackendException e = assertThrows(BackendException.class, none::createVm);
            assertTrue(e.getMessage().contains("/nonexistent/kvm does not exist"), e.getMessage());
        }
        try (KvmHypervisor notKvm = new KvmHypervisor(Path.of("/dev/null"), Path.of("/sys/module"))) {
            assertFalse(notKvm.hostInfo().available());
            assertEquals("/dev/null is not a KVM device: KVM_GET_API_VERSION failed: ENOTTY (25)", notKvm.hostInfo().problem());
        }
    }

    @Test
    void hostKindComesFromTheVendorModule() throws Exception {
        Path fake = Files.createTempDirectory("sysmod");
        try {
            Files.createDirectories(fake.resolve("kvm_intel"));
            try (KvmHypervisor h = new KvmHypervisor(Path.of("/dev/kvm"), fake)) {
                assertEquals(HostInfo.Kind.HARDWARE, h.hostInfo().kind());
                assertTrue(h.hostInfo().description().contains("Intel VMX"), h.hostInfo().description());
            }
        } finally {
            Files.delete(fake.resolve("kvm_intel"));
            Files.delete(fake);
        }
    }
}
