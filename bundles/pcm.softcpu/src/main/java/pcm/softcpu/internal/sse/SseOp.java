package pcm.softcpu.internal.sse;

/** One SSE instruction's semantics, run after {@link SseUnit#begin} captured its operands. */
@FunctionalInterface
public interface SseOp {
    void exec(SseUnit u);
}
