package pcm.vmx.internal.position;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.HexFormat;
import java.util.List;

import pcm.core.api.cpu.BackendException;
import pcm.core.api.cpu.Registers;
import pcm.core.api.cpu.Segment;
import pcm.core.api.cpu.SpecialRegisters;
import pcm.core.api.memory.GuestMemory;
import pcm.core.api.memory.GuestMemoryException;
import pcm.vmx.internal.kvm.KvmHypervisor;
import pcm.vmx.internal.kvm.KvmVcpu;
import pcm.vmx.internal.kvm.KvmVm;

/**
 * A tiny long-mode guest for the position tests (the layout of the KVM tests' TestGuest, plus a TSS
 * I/O bitmap that allows every port so CPL3 OUT exits): 4 MiB of RAM in slot 0, GDT at 0x1000
 * (code64 0x08, data 0x10, user data 0x23, user code64 0x2b, TSS 0x30), identity page tables at 0x2000
 * (2 MiB pages, U/S=1), IDT at 0x5000, TSS at 0x6000 (RSP0 0xF000, bitmap at 0x6068), code at 0x10000,
 * handlers from 0x11000, data at 0x20000, user stack 0x30000. The VMM writes everything before the
 * first run.
 */
final class PosGuest implements AutoCloseable {

    static final long RAM_SIZE = 4 << 20;
    static final long GDT = 0x1000, PML4 = 0x2000, PDPT = 0x3000, PD = 0x4000, IDT = 0x5000, TSS = 0x6000;
    static final long CODE = 0x10000, HANDLER = 0x11000, DATA = 0x20000;
    static final long STACK0 = 0xE000, RSP0 = 0xF000, STACK3 = 0x30000;
    static final int TSS_LIMIT = 0x68 + 0x2000; // bitmap of 65536 ports + the 0xFF terminator byte

    final Arena arena = Arena.ofShared();
    final KvmVm vm;
    final KvmVcpu cpu;
    final MemorySegment ram;
    final GuestMemory memory;

    PosGuest(KvmHypervisor hv, String codeHex, boolean cpl3) throws BackendException {
        ram = arena.allocate(RAM_SIZE, 4096);
        vm = hv.createVm();
        try {
            vm.setMemoryRegion(0, 0, ram, false);
            writeTables();
            put(CODE, hex(codeHex));
            cpu = vm.createVcpu(0);
            cpu.setSpecialRegisters(longMode(cpu.specialRegisters(), cpl3));
            long[] r = Registers.ZERO.toArray();
            r[6] = cpl3 ? STACK3 : STACK0;
            r[16] = CODE;
            r[17] = cpl3 ? 0x202 : 0x2;
            cpu.setRegisters(Registers.fromArray(r));
        } catch (BackendException | RuntimeException e) {
            vm.close();
            arena.close();
            throw e;
        }
        memory = new SegmentMemory(ram);
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    void put(long gpa, String hex) {
        put(gpa, hex(hex));
    }

    void put(long gpa, byte[] bytes) {
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, ram, gpa, bytes.length);
    }

    void put64(long gpa, long v) {
        ram.set(JAVA_LONG_UNALIGNED, gpa, v);
    }

    long get64(long gpa) {
        return ram.get(JAVA_LONG_UNALIGNED, gpa);
    }

    private void writeTables() {
        put64(GDT, 0);
        put64(GDT + 0x08, 0x00AF9A000000FFFFL); // code64 DPL0
        put64(GDT + 0x10, 0x00CF92000000FFFFL); // data DPL0
        put64(GDT + 0x18, 0);
        put64(GDT + 0x20, 0x00CFF2000000FFFFL); // data DPL3 (0x23)
        put64(GDT + 0x28, 0x00AFFA000000FFFFL); // code64 DPL3 (0x2b)
        long limit = TSS_LIMIT;
        put64(GDT + 0x30, (limit & 0xFFFF) | ((TSS & 0xFFFFFF) << 16) | (0x8BL << 40) | ((limit >> 16 & 0xF) << 48)
                | ((TSS >>> 24 & 0xFF) << 56));
        put64(GDT + 0x38, TSS >>> 32);
        put64(TSS + 4, RSP0);
        ram.set(JAVA_SHORT_UNALIGNED, TSS + 0x66, (short) 0x68);
        ram.set(JAVA_BYTE, TSS + 0x68 + 0x2000, (byte) 0xFF);
        put64(PML4, PDPT | 0x7);
        put64(PDPT, PD | 0x7);
        for (int i = 0; i < 512; i++) {
            put64(PD + 8L * i, ((long) i << 21) | 0x87);
        }
    }

    /** Installs a 64-bit interrupt gate (selector 0x08) for {@code vector}. */
    void gate(int vector, long handler, int dpl) {
        gate(vector, handler, dpl, 0);
    }

    void gate(int vector, long handler, int dpl, int ist) {
        long lo = (handler & 0xFFFF) | (0x08L << 16) | ((long) ist << 32) | (0xEL << 40) | ((long) dpl << 45)
                | (1L << 47) | ((handler >>> 16 & 0xFFFF) << 48);
        put64(IDT + 16L * vector, lo);
        put64(IDT + 16L * vector + 8, handler >>> 32);
    }

    static SpecialRegisters longMode(SpecialRegisters cur, boolean cpl3) {
        Segment cs = cpl3 ? Segment.code64(0x2b, 3) : Segment.code64(0x08, 0);
        Segment ds = cpl3 ? Segment.data(0x23, 3) : Segment.data(0x10, 0);
        return new SpecialRegisters(cs, ds, ds, ds, ds, ds, Segment.tss(0x30, TSS, TSS_LIMIT), cur.ldt(),
                new SpecialRegisters.DescriptorTable(GDT, 0x3F), new SpecialRegisters.DescriptorTable(IDT, 0xFFF),
                0x80050033L, 0, PML4, 0x620, 0, 0xD01, cur.apicBase());
    }

    @Override
    public void close() {
        vm.close();
        arena.close();
    }

    /** Guest RAM at GPA 0 as a {@link GuestMemory}. */
    static final class SegmentMemory implements GuestMemory {
        private final MemorySegment ram;

        SegmentMemory(MemorySegment ram) {
            this.ram = ram;
        }

        @Override
        public List<MemoryRegion> regions() {
            return List.of(new MemoryRegion(0, 0, ram.byteSize(), ram));
        }

        @Override
        public long size() {
            return ram.byteSize();
        }

        @Override
        public boolean isRam(long gpa, long length) {
            return gpa >= 0 && length >= 0 && gpa <= ram.byteSize() - length;
        }

        private void check(long gpa, long len) throws GuestMemoryException {
            if (!isRam(gpa, len)) {
                throw new GuestMemoryException(gpa, len, "outside the test guest's RAM");
            }
        }

        @Override
        public void read(long gpa, byte[] dst, int offset, int length) throws GuestMemoryException {
            check(gpa, length);
            MemorySegment.copy(ram, JAVA_BYTE, gpa, dst, offset, length);
        }

        @Override
        public void write(long gpa, byte[] src, int offset, int length) throws GuestMemoryException {
            check(gpa, length);
            MemorySegment.copy(src, offset, ram, JAVA_BYTE, gpa, length);
        }

        @Override
        public byte readByte(long gpa) throws GuestMemoryException {
            check(gpa, 1);
            return ram.get(JAVA_BYTE, gpa);
        }

        @Override
        public int readInt(long gpa) throws GuestMemoryException {
            check(gpa, 4);
            return ram.get(JAVA_INT_UNALIGNED, gpa);
        }

        @Override
        public long readLong(long gpa) throws GuestMemoryException {
            check(gpa, 8);
            return ram.get(JAVA_LONG_UNALIGNED, gpa);
        }

        @Override
        public void writeByte(long gpa, byte value) throws GuestMemoryException {
            check(gpa, 1);
            ram.set(JAVA_BYTE, gpa, value);
        }

        @Override
        public void writeInt(long gpa, int value) throws GuestMemoryException {
            check(gpa, 4);
            ram.set(JAVA_INT_UNALIGNED, gpa, value);
        }

        @Override
        public void writeLong(long gpa, long value) throws GuestMemoryException {
            check(gpa, 8);
            ram.set(JAVA_LONG_UNALIGNED, gpa, value);
        }

        @Override
        public MemorySegment slice(long gpa, long length) throws GuestMemoryException {
            check(gpa, length);
            return ram.asSlice(gpa, length);
        }
    }
}
