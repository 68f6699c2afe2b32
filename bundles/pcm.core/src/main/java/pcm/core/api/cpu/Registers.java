package pcm.core.api.cpu;

/** General-purpose registers, RIP and RFLAGS. */
public record Registers(long rax, long rbx, long rcx, long rdx, long rsi, long rdi, long rsp, long rbp,
                        long r8, long r9, long r10, long r11, long r12, long r13, long r14, long r15,
                        long rip, long rflags) {

    public static final Registers ZERO = new Registers(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2);

    /** In the order of the KVM struct and of {@link #fromArray}: rax..r15, rip, rflags. */
    public long[] toArray() {
        return new long[] {rax, rbx, rcx, rdx, rsi, rdi, rsp, rbp, r8, r9, r10, r11, r12, r13, r14, r15, rip, rflags};
    }

    public static Registers fromArray(long[] r) {
        return new Registers(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12],
                r[13], r[14], r[15], r[16], r[17]);
    }

    public static final String[] NAMES = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rsp", "rbp", "r8", "r9",
        "r10", "r11", "r12", "r13", "r14", "r15", "rip", "rflags"};

    public Registers withRip(long newRip) {
        long[] a = toArray();
        a[16] = newRip;
        return fromArray(a);
    }
}
