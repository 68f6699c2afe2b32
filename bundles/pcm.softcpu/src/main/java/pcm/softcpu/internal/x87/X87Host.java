package pcm.softcpu.internal.x87;

/**
 * What the x87 unit needs from the CPU, and nothing more, so that it does not depend on the
 * interpreter's internals. Memory accesses are linear addresses with the CPU's own fault semantics
 * (paging, #PF/#GP thrown as the CPU throws them); {@link #fault} and {@link #unsupported} return the
 * exception the unit throws.
 */
public interface X87Host {

    long CR0_MP = 2, CR0_EM = 4, CR0_TS = 8, CR0_NE = 0x20;
    long CR4_OSFXSR = 0x200;
    long RFLAGS_CF = 1, RFLAGS_PF = 4, RFLAGS_AF = 0x10, RFLAGS_ZF = 0x40, RFLAGS_SF = 0x80, RFLAGS_OF = 0x800;

    /** Reads 1, 2, 4 or 8 bytes (little endian). */
    long read(long linear, int size);

    /** Writes 1, 2, 4 or 8 bytes. */
    void write(long linear, int size, long value);

    /** Faults now, as a write would, if any byte of {@code [linear, linear+length)} cannot be written (stores of more than 8 bytes). */
    void checkWritable(long linear, int length);

    long cr0();

    long cr4();

    /** RFLAGS with the arithmetic flags current. */
    long rflags();

    /** Sets the RFLAGS bits in {@code mask} to those of {@code value} (FCOMI/FUCOMI). */
    void setRflags(long mask, long value);

    long gpr(int index);

    /** Writes the low 16 bits of a GPR (FNSTSW AX). */
    void setGpr16(int index, int value);

    /** The CS selector (the AMD model's FCS). */
    int codeSelector();

    /**
     * The selector of the current instruction's memory operand segment (the AMD model's FDS): SS for an RSP or RBP
     * base, FS/GS with their override, else DS (the other overrides are ignored in 64-bit mode, measured).
     */
    int dataSelector();

    /** The exception to throw for {@code vector} with {@code errorCode}. */
    RuntimeException fault(int vector, int errorCode);

    /** The exception to throw for an instruction the soft CPU does not implement (stops the vCPU, named). */
    RuntimeException unsupported(String what);
}
