/**
 * The exact IEEE-754 arithmetic of the SSE/SSE2 floating-point instructions, on raw bits (issue 13 item 2):
 * {@link pcm.softcpu.internal.sse.fp.SseFloat} computes one lane of an operation under an MXCSR value and
 * accumulates the exception flags it raises in a {@link pcm.softcpu.internal.sse.fp.FpFlags}. No dependency
 * on the CPU classes: the SSE glue in {@code pcm.softcpu.internal.sse} decodes operands, calls this per
 * lane, and decides #XM from the flags and the MXCSR masks.
 */
package pcm.softcpu.internal.sse.fp;
