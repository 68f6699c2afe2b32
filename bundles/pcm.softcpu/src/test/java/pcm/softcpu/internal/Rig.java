package pcm.softcpu.internal;

import java.lang.foreign.MemorySegment;

import pcm.core.api.cpu.BackendException;

/**
 * One side of a differential run: loads a sequence with its memory and registers ({@link #start}), then
 * reports the state after each instruction ({@link #step}, vector 1) or the exception that ended it.
 * {@link DiffRig} runs it on a backend (KVM or the interpreter) at CPL3 with RFLAGS.TF; {@link NativeRig}
 * on the host CPU in a native process. {@link #ram()} holds at least the code, scratch and stack areas at
 * their guest addresses.
 */
interface Rig extends AutoCloseable {

    /** State after a step: GPRs in x86 order, RIP, RFLAGS, the vector (1 = a single-step trap) and error code. */
    record State(long[] r, long rip, long rflags, int vector, long err) {}

    String name();

    MemorySegment ram();

    void start(byte[] code, byte[] scratch, byte[] stack, long[] r, long flags) throws BackendException;

    State step() throws BackendException;

    /** The error-code bits of {@code vector} this reference reports truthfully (all by default). */
    default long errorCodeMask(int vector) { return -1; }

    @Override
    void close();
}
