/**
 * The SSE/SSE2 unit of the software CPU (issue 13 item 2): operand access and availability checks
 * ({@link pcm.softcpu.internal.sse.SseUnit}), the instruction families and their encodings
 * ({@link pcm.softcpu.internal.sse.SseFamilies} through {@link pcm.softcpu.internal.sse.SseTable}), and the
 * CPU it needs ({@link pcm.softcpu.internal.sse.SseHost}). The IEEE-754 lane arithmetic is the sub-package
 * {@code fp}. Private to the bundle.
 */
package pcm.softcpu.internal.sse;
