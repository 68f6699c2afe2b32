package pcm.softcpu.internal;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

import pcm.core.api.cpu.BackendException;
import pcm.core.api.cpu.CpuidMask;
import pcm.core.api.cpu.Registers;
import pcm.core.api.cpu.Segment;
import pcm.core.api.cpu.SpecialRegisters;
import pcm.core.api.cpu.VirtualCpu;
import pcm.core.api.cpu.VirtualMachine;
import pcm.core.api.exit.ExitContext;
import pcm.core.api.exit.ExitResult;
import pcm.core.api.memory.GuestMemory;
import pcm.core.api.vm.VmExit;

/**
 * A minimal platform for the embedded guest without OSGi: RAM, the boot state of
 * docs/guest-contract.md, a UART that captures output, the PCM test device, PIC/PIT ports that accept
 * anything, and a timer tick (vector 0x20) injected at exits once {@code tickInstructions} have retired
 * since the last one, or when the guest halts (deterministic: ticks depend only on instruction counts).
 */
final class GuestHarness implements AutoCloseable {

    static final Path IMAGE = Path.of("../pcm.guest/src/main/resources/pcm/guest/default-guest.bin");
    static final long RAM = 64L << 20;

    final Arena arena = Arena.ofShared();
    final MemorySegment ram = arena.allocate(RAM, 4096);
    final VirtualMachine vm;
    final VirtualCpu vcpu;
    /** The registers when the guest powered off (or stopped otherwise). */
    Registers finalRegs;
    final StringBuilder console = new StringBuilder();
    final SoftExitHandler handler = new SoftExitHandler();
    final long param;
    final long tickInstructions;
    int status = Integer.MIN_VALUE;
    String stopReason;
    long result;
    long exits;
    int ticks;
    private int lcr;
    private long scratch;
    private long nextTick;

    GuestHarness(long param, long timerHz, long tickInstructions) throws IOException, BackendException {
        this(new SoftVm(), param, timerHz, tickInstructions);
    }

    /** The same platform on any backend's VM (the differential guest test runs it on KVM too). */
    GuestHarness(VirtualMachine vm, long param, long timerHz, long tickInstructions) throws IOException, BackendException {
        this.vm = vm;
        this.param = param;
        this.tickInstructions = tickInstructions;
        byte[] img = Files.readAllBytes(IMAGE);
        MemorySegment.copy(img, 0, ram, ValueLayout.JAVA_BYTE, 0x100000, img.length);
        writeTables(ram, param, timerHz);
        vm.setMemoryRegion(0, 0, ram, true);
        vcpu = vm.createVcpu(0);
        vcpu.setCpuid(new CpuidMask(0, 0, 0, 0));
        vcpu.setSpecialRegisters(bootSregs());
        vcpu.setRegisters(new Registers(0, 0, 0, 0, 0x8000, 0, 0x90000, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x100000, 2));
        nextTick = tickInstructions;
    }

    static void writeTables(MemorySegment m, long param, long timerHz) {
        ValueLayout.OfLong L = ValueLayout.JAVA_LONG_UNALIGNED;
        m.set(L, 0x1000, 0);
        m.set(L, 0x1008, 0x00AF9B000000FFFFL);
        m.set(L, 0x1010, 0x00CF93000000FFFFL);
        long flags = 7;
        m.set(L, 0x2000, 0x3000 | flags);
        for (int gib = 0; gib < 4; gib++) {
            long pd = 0x4000 + gib * 0x1000L;
            m.set(L, 0x3000 + gib * 8L, pd | flags);
            for (int i = 0; i < 512; i++) {
                m.set(L, pd + i * 8L, ((long) gib << 30) | ((long) i << 21) | flags | 0x80);
            }
        }
        m.set(L, 0x8000, 0x31544F4F424D4350L);
        m.set(L, 0x8008, RAM);
        m.set(L, 0x8010, param);
        m.set(L, 0x8018, 3); // RDRAND and RDSEED allowed
        m.set(L, 0x8020, timerHz);
    }

    static SpecialRegisters bootSregs() {
        Segment code = Segment.code64(0x08, 0);
        Segment data = Segment.data(0x10, 0);
        Segment tr = new Segment(0, 0xFFFF, 0, 0xB, true, 0, false, false, false, false, false, false);
        Segment ldt = new Segment(0, 0xFFFF, 0, 0x2, true, 0, false, false, false, false, false, false);
        return new SpecialRegisters(code, data, data, data, data, data, tr, ldt,
                new SpecialRegisters.DescriptorTable(0x1000, 23), new SpecialRegisters.DescriptorTable(0, 0),
                0x80010033L, 0, 0x2000, 0x620, 0, 0xD01, 0xFEE00900L);
    }

    private final ExitContext context = new ExitContext() {
        @Override public int vcpuId() { return 0; }
        @Override public GuestMemory memory() { return null; }
        @Override public long instructionCount() { return vcpu.instructionCount(); }
    };

    /** Runs until power off / shutdown / error; returns the console. */
    String run(long maxExits) throws BackendException {
        while (status == Integer.MIN_VALUE && exits < maxExits) {
            if (tickInstructions > 0 && vcpu.instructionCount() >= nextTick && vcpu.canInjectInterrupt()) {
                vcpu.injectInterrupt(0x20);
                ticks++;
                nextTick = vcpu.instructionCount() + tickInstructions;
            }
            VmExit e = vcpu.run();
            exits++;
            switch (e) {
                case VmExit.PortOut o -> portOut(o);
                case VmExit.PortIn in -> vcpu.complete(e, ExitResult.value(portIn(in)));
                case VmExit.MmioRead r -> vcpu.complete(e, ExitResult.value(mmioRead(r.address())));
                case VmExit.MmioWrite w -> mmioWrite(w.address(), w.data());
                case VmExit.Hlt h -> {
                    if (!h.interruptsEnabled() || tickInstructions <= 0) {
                        stop(-2, "halted with interrupts disabled");
                    } else if (vcpu.canInjectInterrupt()) {
                        vcpu.injectInterrupt(0x20);
                        ticks++;
                        nextTick = vcpu.instructionCount() + tickInstructions;
                    }
                }
                case VmExit.Cpuid c -> vcpu.complete(e, handler.handle(e, context));
                case VmExit.Nondeterministic n -> vcpu.complete(e, handler.handle(e, context));
                case VmExit.MsrRead m -> vcpu.complete(e, handler.handle(e, context));
                case VmExit.MsrWrite m -> vcpu.complete(e, handler.handle(e, context));
                case VmExit.Shutdown s -> stop(s.status(), s.reason());
                case VmExit.InternalError ie -> stop(-1, ie.detail());
                case VmExit.Interrupted i -> { }
                default -> stop(-1, "unexpected exit " + e);
            }
        }
        return console.toString();
    }

    private void stop(int s, String why) {
        status = s;
        stopReason = why;
        try {
            finalRegs = vcpu.registers();
        } catch (BackendException e) {
            finalRegs = null;
        }
    }

    private void portOut(VmExit.PortOut o) {
        switch (o.port()) {
            case 0x3F8 -> {
                if ((lcr & 0x80) == 0) console.append((char) (o.data() & 0xFF));
            }
            case 0x3FB -> lcr = (int) o.data();
            case 0x64 -> {
                if (o.data() == 0xFE) stop(0, "i8042 reset");
            }
            default -> { }
        }
    }

    private long portIn(VmExit.PortIn in) {
        return switch (in.port()) {
            case 0x3FD -> 0x60;
            case 0x3FB -> lcr;
            default -> 0;
        };
    }

    private long mmioRead(long a) {
        return switch ((int) (a - 0xFEB00000L)) {
            case 0x00 -> 0x0000000150434D31L;
            case 0x08 -> param;
            case 0x10 -> scratch;
            default -> -1L;
        };
    }

    private void mmioWrite(long a, long v) {
        switch ((int) (a - 0xFEB00000L)) {
            case 0x10 -> scratch = v;
            case 0x20 -> result = v;
            case 0x28 -> stop((int) v, "power off");
            default -> { }
        }
    }

    @Override
    public void close() {
        vm.close();
        arena.close();
    }
}
