package pcm.softcpu.internal.x87;

/** A CPU for the x87 unit alone: 64 KiB of flat memory, CR0/CR4, RFLAGS, GPRs; faults as exceptions naming the vector. */
final class FakeHost implements X87Host {

    static final class Vector extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int vector;

        Vector(int vector) {
            super("vector " + vector);
            this.vector = vector;
        }
    }

    static final class Unsupported extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Unsupported(String what) { super(what); }
    }

    final byte[] mem = new byte[0x10000];
    long cr0 = 0x80050033L, cr4 = 0x620, rflags = 2;
    final long[] r = new long[16];
    /** CS and the memory operand's segment selector (the AMD model's FCS/FDS). */
    int cs = 0x33, dataSel = 0x2B;

    @Override
    public int codeSelector() { return cs; }

    @Override
    public int dataSelector() { return dataSel; }

    @Override
    public long read(long linear, int size) {
        long v = 0;
        for (int k = size - 1; k >= 0; k--) v = v << 8 | (mem[(int) linear + k] & 0xFF);
        return v;
    }

    @Override
    public void write(long linear, int size, long value) {
        for (int k = 0; k < size; k++) mem[(int) linear + k] = (byte) (value >>> (8 * k));
    }

    @Override
    public void checkWritable(long linear, int length) {
        if (linear + length > mem.length) throw new Vector(14);
    }

    @Override
    public long cr0() { return cr0; }

    @Override
    public long cr4() { return cr4; }

    @Override
    public long rflags() { return rflags; }

    @Override
    public void setRflags(long mask, long value) { rflags = (rflags & ~mask) | (value & mask); }

    @Override
    public long gpr(int index) { return r[index]; }

    @Override
    public void setGpr16(int index, int value) { r[index] = (r[index] & ~0xFFFFL) | (value & 0xFFFF); }

    @Override
    public RuntimeException fault(int vector, int errorCode) { return new Vector(vector); }

    @Override
    public RuntimeException unsupported(String what) { return new Unsupported(what); }
}
