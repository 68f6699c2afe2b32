package pcm.core.internal.sampling;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import pcm.core.api.exit.ExitContext;
import pcm.core.api.exit.ExitDispatcher;
import pcm.core.api.exit.ExitResult;
import pcm.core.api.irq.InterruptController;
import pcm.core.api.memory.GuestMemoryProvider;
import pcm.core.api.vm.ExitKind;
import pcm.core.api.vm.VmException;
import pcm.core.api.vm.VmExit;
import pcm.core.internal.vm.SamplingTarget;
import pcm.core.internal.vm.VcpuLoop;
import pcm.core.internal.vm.WindowProbe;

/**
 * The kernel's real vCPU loop over a {@link ScriptedVcpu}, as a {@link SamplingTarget}. Its "devices":
 * port 0x60 reads 0x42; CPUID returns fixed registers; RDTSC 1000; an OUT to port 0x80 DMAs 8 bytes
 * to 0x2000 (through the exit context's memory) and raises IRQ vector 0x20; a Shutdown stops the VM.
 */
final class TestVm implements SamplingTarget, AutoCloseable {

    final ScriptedVcpu cpu;
    final HeapMemory memory = new HeapMemory(64 << 10);
    final HeapMemory.Provider provider = new HeapMemory.Provider();
    final VcpuLoop loop;
    private final Thread thread;
    final CountDownLatch stopped = new CountDownLatch(1);
    final AtomicInteger pendingVector = new AtomicInteger(-1);

    TestVm(List<ScriptedVcpu.Step> program) {
        cpu = new ScriptedVcpu(program);
        memory.writeLong(0x1000, 0x1122334455667788L); // a non-zero page in the initial snapshot
        InterruptController pic = new InterruptController() {
            @Override public void setIrq(int line, boolean high) { }
            @Override public boolean hasPendingInterrupt() { return pendingVector.get() >= 0; }
            @Override public int acknowledge() { return pendingVector.getAndSet(-1); }
            @Override public void setPendingListener(Runnable l) { }
        };
        ExitDispatcher d = new ExitDispatcher() {
            @Override
            public Dispatch dispatch(VmExit exit, ExitContext ctx) {
                ExitResult r = switch (exit) {
                    case VmExit.PortIn in -> ExitResult.value(0x42);
                    case VmExit.Cpuid c -> new ExitResult.CpuidValue(0x11, 0x22, 0x33, 0x44);
                    case VmExit.Nondeterministic n -> ExitResult.value(1000);
                    case VmExit.PortOut o when o.port() == 0x80 -> {
                        ctx.memory().writeLong(0x2000, 0xCAFEBABEL);
                        pendingVector.set(0x20);
                        yield ExitResult.done();
                    }
                    case VmExit.Shutdown s -> ExitResult.stop(0, "shutdown");
                    default -> ExitResult.done();
                };
                return new Dispatch(r, "test");
            }
            @Override public List<String> handlers(ExitKind kind) { return List.of(); }
            @Override public Map<ExitKind, Long> dispatched() { return Map.of(); }
            @Override public Map<ExitKind, Long> unhandled() { return Map.of(); }
            @Override public Map<ExitKind, Long> failures() { return Map.of(); }
        };
        loop = VcpuLoop.create(cpu, memory, d, pic, new VcpuLoop.Listener() {
            @Override public void paused(boolean paused) { }
            @Override public void stopped(int status, String reason) { stopped.countDown(); }
        });
        thread = Thread.ofPlatform().daemon().name("test-vcpu").start(loop);
        try {
            if (!cpu.halted.await(10, TimeUnit.SECONDS)) throw new IllegalStateException("the scripted guest never halted");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public Optional<String> runningBackend() { return stopped.getCount() == 0 ? Optional.empty() : Optional.of("scripted"); }

    @Override
    public Optional<GuestMemoryProvider> memoryProvider() { return Optional.of(provider); }

    @Override
    public void openWindow(int vcpu, WindowProbe probe, long timeoutMillis) throws VmException {
        try {
            loop.openWindow(probe, timeoutMillis);
        } catch (Exception e) {
            throw new VmException(e.getMessage(), e);
        }
    }

    @Override
    public boolean closeWindow(int vcpu, String reason, long timeoutMillis) throws VmException {
        try {
            return loop.closeWindow(reason, timeoutMillis);
        } catch (Exception e) {
            throw new VmException(e.getMessage(), e);
        }
    }

    @Override
    public void close() throws InterruptedException {
        loop.requestStop(0, "test over");
        stopped.await(10, TimeUnit.SECONDS);
        thread.join(10_000);
    }
}
