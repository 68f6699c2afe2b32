package pcm.softcpu.internal.sse.fp;

/**
 * An exact model of one implementation's RCPPS/RCPSS and RSQRTPS/RSQRTSS lane (issue 13): the SDM only bounds
 * their relative error (1.5 * 2^-12), and Intel, AMD and QEMU's TCG each give other bits, so a soft CPU that
 * replays or verifies a recording must compute exactly what the recording CPU computed, or admit it cannot.
 * Implementations: {@link AmdRecip} (measured on the AMD host), {@link TcgRecip} (QEMU's helpers). Neither
 * instruction raises an SIMD exception or sets an MXCSR flag on either (measured; QEMU restores its flags).
 */
public interface RecipModel {

    /** What the model reproduces, for reports ("AMD family 1Ah (measured)", ...). */
    String describe();

    /** The result of one RCPSS lane for the float32 bits {@code x} under {@code mxcsr}. */
    int rcp(int x, int mxcsr);

    /** The result of one RSQRTSS lane. */
    int rsqrt(int x, int mxcsr);
}
