package pcm.bench.dispatch;

import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import pcm.core.api.exit.ExitContext;
import pcm.core.api.exit.ExitDispatcher;
import pcm.core.api.exit.ExitHandler;
import pcm.core.api.exit.ExitResult;
import pcm.core.api.memory.GuestMemory;
import pcm.core.internal.dispatch.WhiteboardExitDispatcher;
import pcm.core.api.vm.VmExit;

/**
 * Cost of one exit dispatch through the kernel's whiteboard dispatcher (used outside OSGi, as the
 * vCPU loop uses it), against a direct interface call to the handler that answers.
 * <p>
 * With {@code handlers=N}, N handlers are registered for PIO_IN at rankings N-1 .. 0; the N-1
 * higher-ranked ones pass and the lowest-ranked one answers, so a dispatch walks all N
 * (the worst case for that many handlers). {@code handlers=1} is the common case: one device handler.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
public class DispatchBench {

    /** Answers every port read. */
    static final class ValueHandler implements ExitHandler {
        @Override
        public ExitResult handle(VmExit exit, ExitContext context) {
            return ExitResult.value(0x42);
        }
    }

    /** Declines, so the next handler in rank is asked. */
    static final class PassHandler implements ExitHandler {
        @Override
        public ExitResult handle(VmExit exit, ExitContext context) {
            return ExitResult.pass();
        }
    }

    static final ExitContext CONTEXT = new ExitContext() {
        @Override public int vcpuId() { return 0; }
        @Override public GuestMemory memory() { return null; }
        @Override public long instructionCount() { return -1; }
    };

    /** The dispatcher with its handlers; only the dispatch benchmark has the {@code handlers} parameter. */
    @State(Scope.Thread)
    public static class Dispatcher {
        @Param({"1", "10"})
        public int handlers;

        /**
         * Whose handlers: "kernel" (a bundle of the kernel's own, called on the vCPU thread) or "plugin" (any
         * other bundle: called on a supervised worker while the vCPU waits, issue 11 item 7).
         */
        @Param({"kernel", "plugin"})
        public String origin;

        ExitDispatcher dispatcher;
        final VmExit exit = new VmExit.PortIn(0x510, 1);

        @Setup
        public void setup() {
            WhiteboardExitDispatcher d = new WhiteboardExitDispatcher();
            for (int rank = handlers - 1; rank >= 0; rank--) {
                ExitHandler h = rank == 0 ? new ValueHandler() : new PassHandler();
                d.register(h, Map.of(ExitHandler.EXIT_KINDS, "PIO_IN", "service.ranking", rank,
                        "pcm.bundle.symbolicName", origin.equals("kernel") ? "pcm.core" : "vendor.plugin"));
            }
            dispatcher = d;
            ExitDispatcher.Dispatch check = dispatcher.dispatch(exit, CONTEXT);
            if (!(check.result() instanceof ExitResult.Value v) || v.value() != 0x42)
                throw new IllegalStateException("dispatcher setup wrong: " + check);
        }
    }

    private final ExitHandler direct = new ValueHandler();
    private final VmExit exit = new VmExit.PortIn(0x510, 1);

    /** One exit through the dispatcher: table lookup, rank walk, in-flight accounting, counters. */
    @Benchmark
    public ExitDispatcher.Dispatch dispatch(Dispatcher state) {
        return state.dispatcher.dispatch(state.exit, CONTEXT);
    }

    /** Baseline: the answering handler called directly through its interface. */
    @Benchmark
    public ExitResult directCall() {
        return direct.handle(exit, CONTEXT);
    }
}
