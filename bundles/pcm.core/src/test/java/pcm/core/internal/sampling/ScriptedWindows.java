package pcm.core.internal.sampling;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import pcm.core.api.event.EventSink;
import pcm.core.api.sampling.SamplingPolicy;
import pcm.core.internal.log.Retention;
import pcm.core.internal.log.WindowRecorder;
import pcm.core.internal.vm.SamplingTarget;

/** Test helper: one window of {@link SamplingEngineTest#program()} on a fresh {@link TestVm}, recorded into a directory. */
final class ScriptedWindows {

    private ScriptedWindows() {}

    /** Records a window of {@code length} instructions into {@code dir}; what must be closed goes into {@code closing}. */
    static String record(Path dir, long length, List<AutoCloseable> closing) throws Exception {
        Thread.sleep(2); // window ids are w<epoch-millis>
        TestVm vm = new TestVm(SamplingEngineTest.program());
        closing.add(vm);
        return engine(dir, vm, closing).sampleNow(length, 30_000);
    }

    /** A sampling engine on {@code vm} with the exact test position service, its log and windows in {@code dir}. */
    static SamplingEngine engine(Path dir, TestVm vm, List<AutoCloseable> closing) {
        return engine(dir, vm, closing, Recording.Tracers.NONE);
    }

    /** The same on any target (null: none) arming {@code tracers} at each window. */
    static SamplingEngine engine(Path dir, SamplingTarget vm, List<AutoCloseable> closing, Recording.Tracers tracers) {
        WindowRecorder log = new WindowRecorder(new WindowRecorder.Settings(dir, Retention.NONE, 1 << 20), 1024);
        closing.add(log);
        List<EventSink> sinks = List.of(log::accept);
        SamplingEngine e = new SamplingEngine(new SamplingEngine.Env() {
            @Override public Optional<SamplingTarget> target() { return Optional.ofNullable(vm); }
            @Override public List<EventSink> sinks() { return sinks; }
            @Override public List<Recording.Ranked> positionServices() {
                return List.of(new Recording.Ranked(new ExactTestPositionService(), 0));
            }
            @Override public List<SamplingPolicy> policies() { return List.of(); }
            @Override public Optional<Path> directory() { return Optional.of(dir); }
            @Override public Recording.Tracers tracers() { return tracers; }
        }, new SamplingEngine.Settings(10_000, 30_000, 10_000, 10_000, 10_000, 50, "periodic"));
        closing.add(e);
        return e;
    }
}
