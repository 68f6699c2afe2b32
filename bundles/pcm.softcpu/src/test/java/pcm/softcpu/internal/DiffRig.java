package pcm.softcpu.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import pcm.core.api.cpu.BackendException;
import pcm.core.api.cpu.Registers;
import pcm.core.api.cpu.Segment;
import pcm.core.api.cpu.SpecialRegisters;
import pcm.core.api.cpu.VirtualCpu;
import pcm.core.api.cpu.VirtualMachine;
import pcm.core.api.vm.VmExit;

/**
 * One backend's side of the differential test: 2 MiB of RAM with a GDT (kernel 0x08/0x10, user data
 * 0x2b, user code 0x33, TSS 0x40: Linux's user selectors, so that the AMD x87 model's FCS/FDS, which hold the
 * CS/SS selectors, compare equal with the native oracle's), identity page tables (U/S=1; 2 MiB pages but the first 2 MiB in 4 KiB
 * pages with {@link #HOLE} not present), an IDT for vectors 0-31
 * and a TSS with RSP0. The CPL0 handlers use only instructions KVM's emulator runs on PVM: the #DB
 * handler is {@code out 0xE0,al; iretq} (so the GPRs at the exit are those of the interrupted CPL3
 * instruction and its RIP/RFLAGS/RSP are in the frame), any other vector {@code out 0x40+v,al; hlt}.
 *
 * <p>A sequence starts at CPL0 on an {@code iretq} whose frame (written by the VMM) enters the code at
 * CPL3 with RFLAGS.TF set, so every CPL3 instruction (every iteration of a REP string instruction)
 * ends in one #DB, i.e. one exit.
 */
final class DiffRig implements Rig {

    static final long RAM = 2L << 20;
    static final long GDT = 0x1000, PML4 = 0x2000, PDPT = 0x3000, PD = 0x4000, IDT = 0x5000, TSS = 0x6000, PT = 0x7000;
    /** Not present: the page after the scratch area, so that operands straddling into it fault (#PF). */
    static final long HOLE = DiffGen.SCRATCH + DiffGen.SCRATCH_SIZE;
    static final long FRAME = 0xE000 - 40, RSP0 = 0xF000, CODE = 0x10000, HANDLERS = 0x11000, IRET = 0x11F00;
    static final long STACK_PAGE = 0x2F000, USTACK = 0x2F800;
    static final int PORT_DB = 0xE0, PORT_EXC = 0x40;
    /** CPL3 selectors, Linux's (x86-64 __USER_CS, __USER_DS). */
    static final int USER_CS = 0x33, USER_SS = 0x2B;
    static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG_UNALIGNED;

    final String name;
    final VirtualMachine vm;
    final VirtualCpu cpu;
    final Arena arena = Arena.ofShared();
    final MemorySegment ram = arena.allocate(RAM, 4096);

    @Override
    public String name() { return name; }

    @Override
    public MemorySegment ram() { return ram; }

    DiffRig(String name, VirtualMachine vm) throws BackendException {
        this.name = name;
        this.vm = vm;
        writeTables();
        vm.setMemoryRegion(0, 0, ram, false);
        cpu = vm.createVcpu(0);
        SpecialRegisters cur = cpu.specialRegisters();
        Segment cs = Segment.code64(0x08, 0), ds = Segment.data(0x10, 0);
        cpu.setSpecialRegisters(new SpecialRegisters(cs, ds, ds, ds, ds, ds, Segment.tss(0x40, TSS, 0x67), cur.ldt(),
                new SpecialRegisters.DescriptorTable(GDT, 0x4F), new SpecialRegisters.DescriptorTable(IDT, 32 * 16 - 1),
                0x80050033L, 0, PML4, 0x620, 0, 0xD01, cur.apicBase()));
    }

    private void writeTables() {
        ram.set(L, GDT + 0x08, 0x00AF9A000000FFFFL);
        ram.set(L, GDT + 0x10, 0x00CF92000000FFFFL);
        ram.set(L, GDT + 0x28, 0x00CFF2000000FFFFL);
        ram.set(L, GDT + 0x30, 0x00AFFA000000FFFFL);
        ram.set(L, GDT + 0x40, 0x67L | (TSS & 0xFFFFFF) << 16 | 0x8BL << 40 | (TSS >>> 24 & 0xFF) << 56);
        ram.set(L, GDT + 0x48, TSS >>> 32);
        ram.set(L, TSS + 4, RSP0);
        ram.set(ValueLayout.JAVA_SHORT_UNALIGNED, TSS + 0x66, (short) 0x68);
        ram.set(L, PML4, PDPT | 7);
        ram.set(L, PDPT, PD | 7);
        for (int i = 0; i < 512; i++) ram.set(L, PD + 8L * i, ((long) i << 21) | 0x87);
        ram.set(L, PD, PT | 7); // the first 2 MiB in 4 KiB pages, HOLE not present
        for (int i = 0; i < 512; i++) ram.set(L, PT + 8L * i, (long) i << 12 | (i << 12 == HOLE ? 0 : 7));
        for (int v = 0; v < 32; v++) {
            long h = HANDLERS + 16L * v;
            if (v == 1) put(h, 0xE6, PORT_DB, 0x48, 0xCF); // out 0xE0,al; iretq
            else put(h, 0xE6, PORT_EXC + v, 0xF4); // out 0x40+v,al; hlt
            long lo = (h & 0xFFFF) | 0x08L << 16 | 0x8EL << 40 | (h >>> 16 & 0xFFFF) << 48;
            ram.set(L, IDT + 16L * v, lo);
            ram.set(L, IDT + 16L * v + 8, h >>> 32);
        }
        put(IRET, 0x48, 0xCF);
    }

    private void put(long at, int... bytes) {
        for (int i = 0; i < bytes.length; i++) ram.set(ValueLayout.JAVA_BYTE, at + i, (byte) bytes[i]);
    }

    /** Loads a sequence: code (rest of the page HLT), scratch and stack page contents, registers. */
    @Override
    public void start(byte[] code, byte[] scratch, byte[] stack, long[] r, long flags) throws BackendException {
        ram.asSlice(CODE, 0x1000).fill((byte) 0xF4);
        MemorySegment.copy(code, 0, ram, ValueLayout.JAVA_BYTE, CODE, code.length);
        MemorySegment.copy(scratch, 0, ram, ValueLayout.JAVA_BYTE, DiffGen.SCRATCH, scratch.length);
        MemorySegment.copy(stack, 0, ram, ValueLayout.JAVA_BYTE, STACK_PAGE, stack.length);
        ram.set(L, FRAME, CODE);
        ram.set(L, FRAME + 8, USER_CS);
        ram.set(L, FRAME + 16, flags | 0x302);
        ram.set(L, FRAME + 24, r[4]);
        ram.set(L, FRAME + 32, USER_SS);
        long[] a = new long[18];
        for (int i = 0; i < 16; i++) a[X86_TO_API[i]] = r[i];
        a[6] = FRAME;
        a[16] = IRET;
        a[17] = 2;
        cpu.setRegisters(Registers.fromArray(a));
    }

    /** x86 register number to {@link Registers} index. */
    static final int[] X86_TO_API = {0, 2, 3, 1, 6, 7, 4, 5, 8, 9, 10, 11, 12, 13, 14, 15};

    /** Runs to the next #DB or exception exit. */
    @Override
    public State step() throws BackendException {
        VmExit e = cpu.run();
        if (!(e instanceof VmExit.PortOut o) || (o.port() != PORT_DB && (o.port() < PORT_EXC || o.port() >= PORT_EXC + 32))) {
            throw new IllegalStateException(name + ": unexpected exit " + e);
        }
        int vec = o.port() == PORT_DB ? 1 : o.port() - PORT_EXC;
        long[] a = cpu.registers().toArray();
        long[] r = new long[16];
        for (int i = 0; i < 16; i++) r[i] = a[X86_TO_API[i]];
        long sp = a[6];
        long err = 0;
        if (vec == 8 || (vec >= 10 && vec <= 14) || vec == 17 || vec == 21) {
            err = ram.get(L, sp);
            sp += 8;
        }
        r[4] = ram.get(L, sp + 24);
        return new State(r, ram.get(L, sp), ram.get(L, sp + 16), vec, err);
    }

    /** Replaces the RFLAGS the #DB frame will return to (after a #DB step). */
    void setFrameFlags(long rflags) throws BackendException {
        long sp = cpu.registers().rsp();
        ram.set(L, sp + 16, rflags);
    }

    @Override
    public void close() {
        vm.close();
        arena.close();
    }
}
