package pcm.softcpu.internal;

import pcm.core.api.guest.LongModeBoot;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;

import pcm.core.api.cpu.BackendException;
import pcm.core.api.cpu.CpuidMask;
import pcm.core.api.cpu.Registers;
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
    /** RDTSC/RDRAND/... answered by a function of their order and the instruction count (runs compare RAM). */
    boolean deterministicInputs;
    private long inputs;

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
        LongModeBoot.writeTables((gpa, v) -> ram.set(ValueLayout.JAVA_LONG_UNALIGNED, gpa, v),
                new LongModeBoot.BootInfo(RAM, param, LongModeBoot.BootInfo.FLAG_RDRAND | LongModeBoot.BootInfo.FLAG_RDSEED, timerHz));
        vm.setMemoryRegion(0, 0, ram, true);
        vcpu = vm.createVcpu(0);
        vcpu.setCpuid(new CpuidMask(0, 0, 0, 0));
        vcpu.setSpecialRegisters(LongModeBoot.specialRegisters());
        vcpu.setRegisters(LongModeBoot.registers(0x100000));
        nextTick = tickInstructions;
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
                case VmExit.Nondeterministic n -> vcpu.complete(e, deterministicInputs
                        ? ExitResult.value(0x9E3779B97F4A7C15L * ++inputs + vcpu.instructionCount())
                        : handler.handle(e, context));
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
