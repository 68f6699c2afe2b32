package pcm.softcpu.internal.sse;

/**
 * What the SSE unit needs from the CPU (issue 13 item 2), so that it does not depend on the interpreter's
 * internals: linear memory with the CPU's own fault semantics, the control registers, GPRs, the arithmetic
 * flags (COMISS/UCOMISS), the immediate byte after the operand, and the exceptions to throw.
 */
public interface SseHost {

    long CR0_EM = 4, CR0_TS = 8;
    long CR4_OSFXSR = 0x200, CR4_OSXMMEXCPT = 0x400;

    /** Reads 1, 2, 4 or 8 bytes (little endian) at a linear address. */
    long read(long linear, int size);

    /** Writes 1, 2, 4 or 8 bytes. */
    void write(long linear, int size, long value);

    /** Faults now, as a write would, if any byte of {@code [linear, linear+length)} cannot be written. */
    void checkWritable(long linear, int length);

    long cr0();

    long cr4();

    long gpr(int index);

    /** Writes a whole 64-bit GPR (32-bit results are passed zero-extended). */
    void setGpr(int index, long value);

    /** Sets the RFLAGS bits in {@code mask} to those of {@code value}. */
    void setRflags(long mask, long value);

    /** The next instruction byte (an imm8 after the ModRM operand). */
    int fetchImm8();

    /** MASKMOVDQU's destination: DS:RDI (EDI with 0x67), with an FS/GS override applied. */
    long implicitRdi();

    /** The exception to throw for {@code vector} with {@code errorCode}. */
    RuntimeException fault(int vector, int errorCode);

    /** The exception to throw for an instruction the soft CPU does not implement (stops the vCPU, named). */
    RuntimeException unsupported(String what);
}
