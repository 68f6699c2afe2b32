package pcm.vmx.internal.kvm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

import java.lang.foreign.MemorySegment;
import java.util.HexFormat;

import pcm.core.api.cpu.BackendException;
import pcm.core.api.cpu.Registers;
import pcm.core.api.cpu.Segment;
import pcm.core.api.cpu.SpecialRegisters;
import pcm.core.api.memory.GuestMemory;
import pcm.vmx.internal.replay.SegmentMemory;

/**
 * A tiny long-mode guest for the tests, modeled on docs/guest-contract.md: 2 MiB of RAM in slot 0 (4 MiB with
 * {@code userIo}),
 * GDT at 0x1000 (code64 0x08, data 0x10, user data 0x23, user code64 0x2b, TSS 0x30), identity page
 * tables at 0x2000 (2 MiB pages over the first 1 GiB, U/S=1), IDT at 0x5000, TSS at 0x6000
 * (RSP0 0xF000), code at 0x10000, handlers from 0x11000, data at 0x20000, user stack 0x30000.
 * Everything is written before the first run. With {@code userIo} the TSS has an I/O bitmap that allows
 * every port (so CPL3 port I/O exits), CPL3 code starts with IF=1 and RAM is 4 MiB (the position tests).
 */
public class TestGuest implements AutoCloseable {

    public static final long GDT = 0x1000, PML4 = 0x2000, PDPT = 0x3000, PD = 0x4000, IDT = 0x5000, TSS = 0x6000;
    public static final long CODE = 0x10000, HANDLER = 0x11000, DATA = 0x20000;
    public static final long STACK0 = 0xE000, RSP0 = 0xF000, STACK3 = 0x30000;
    /** TSS limit without a bitmap, and with one of 65536 ports plus the 0xFF terminator byte. */
    static final int TSS_LIMIT = 0x67, TSS_LIMIT_IO = 0x68 + 0x2000;

    public final KvmVm vm;
    public final KvmVcpu cpu;
    public final MemorySegment ram;
    public final GuestMemory memory;
    private final int tssLimit;

    TestGuest(KvmHypervisor hv, String codeHex, boolean cpl3) throws BackendException {
        this(hv, codeHex, cpl3, false);
    }

    protected TestGuest(KvmHypervisor hv, String codeHex, boolean cpl3, boolean userIo) throws BackendException {
        tssLimit = userIo ? TSS_LIMIT_IO : TSS_LIMIT;
        ram = Libc.mmapAnonymous(userIo ? 4 << 20 : 2 << 20);
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
            r[17] = cpl3 && userIo ? 0x202 : 0x2;
            cpu.setRegisters(Registers.fromArray(r));
        } catch (BackendException | RuntimeException e) {
            vm.close();
            Libc.munmap(ram);
            throw e;
        }
        memory = new SegmentMemory(ram);
    }

    public static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    public void put(long gpa, String hex) {
        put(gpa, hex(hex));
    }

    public void put(long gpa, byte[] bytes) {
        MemorySegment.copy(MemorySegment.ofArray(bytes), 0, ram, gpa, bytes.length);
    }

    public void put64(long gpa, long v) {
        ram.set(JAVA_LONG_UNALIGNED, gpa, v);
    }

    public long get64(long gpa) {
        return ram.get(JAVA_LONG_UNALIGNED, gpa);
    }

    private void writeTables() {
        put64(GDT, 0);
        put64(GDT + 0x08, 0x00AF9A000000FFFFL); // code64 DPL0
        put64(GDT + 0x10, 0x00CF92000000FFFFL); // data DPL0
        put64(GDT + 0x18, 0);
        put64(GDT + 0x20, 0x00CFF2000000FFFFL); // data DPL3 (0x23)
        put64(GDT + 0x28, 0x00AFFA000000FFFFL); // code64 DPL3 (0x2b)
        long limit = tssLimit;
        put64(GDT + 0x30, (limit & 0xFFFF) | ((TSS & 0xFFFFFF) << 16) | (0x8BL << 40) | ((limit >> 16 & 0xF) << 48)
                | ((TSS >>> 24 & 0xFF) << 56));
        put64(GDT + 0x38, TSS >>> 32);
        // TSS: RSP0; I/O map base 0x68 (beyond the limit: no bitmap, unless the limit covers one of zeros)
        put64(TSS + 4, RSP0);
        ram.set(JAVA_SHORT_UNALIGNED, TSS + 0x66, (short) 0x68);
        if (tssLimit == TSS_LIMIT_IO) ram.set(JAVA_BYTE, TSS + 0x68 + 0x2000, (byte) 0xFF);
        // page tables: PML4[0] -> PDPT, PDPT[0] -> PD, PD: 512 x 2 MiB, P|RW|US (+PS)
        put64(PML4, PDPT | 0x7);
        put64(PDPT, PD | 0x7);
        for (int i = 0; i < 512; i++) {
            put64(PD + 8L * i, ((long) i << 21) | 0x87);
        }
    }

    /** Installs a 64-bit interrupt gate (selector 0x08) for {@code vector}. */
    public void gate(int vector, long handler, int dpl) {
        gate(vector, handler, dpl, 0);
    }

    public void gate(int vector, long handler, int dpl, int ist) {
        long lo = (handler & 0xFFFF) | (0x08L << 16) | ((long) ist << 32) | (0xEL << 40) | ((long) dpl << 45)
                | (1L << 47) | ((handler >>> 16 & 0xFFFF) << 48);
        put64(IDT + 16L * vector, lo);
        put64(IDT + 16L * vector + 8, handler >>> 32);
    }

    private SpecialRegisters longMode(SpecialRegisters cur, boolean cpl3) {
        Segment cs = cpl3 ? Segment.code64(0x2b, 3) : Segment.code64(0x08, 0);
        Segment ds = cpl3 ? Segment.data(0x23, 3) : Segment.data(0x10, 0);
        return new SpecialRegisters(cs, ds, ds, ds, ds, ds, Segment.tss(0x30, TSS, tssLimit), cur.ldt(),
                new SpecialRegisters.DescriptorTable(GDT, 0x3F), new SpecialRegisters.DescriptorTable(IDT, 0xFFF),
                0x80050033L, 0, PML4, 0x620, 0, 0xD01, cur.apicBase());
    }

    @Override
    public void close() {
        vm.close();
        Libc.munmap(ram);
    }

    /**
     * QEMU TCG's nested SVM (the emulated SVM host of bin/svm-host, QEMU 7.2) runs the L2 guest with the DR7 its VMCB
     * holds but does not arm those breakpoints: the guest ran through one, where hardware stops (stop 24). Named and
     * skipped there only; anywhere else the test fails.
     */
    public static void skipOnTheEmulatedHost(pcm.core.api.vm.VmExit got) {
        org.junit.jupiter.api.Assumptions.assumeFalse(Boolean.getBoolean("pcm.svm.emulatedHost"), "the emulated SVM host (QEMU TCG) does not stop"
                + " its guest at hardware breakpoints (got " + got + "): the kvm-step exception watch cannot be tested here");
    }

    /** Whether this host's KVM stops the guest at a hardware instruction breakpoint (a tiny guest tries one). */
    public static boolean hardwareBreakpointsStop(KvmHypervisor hv) throws Exception {
        try (TestGuest g = new TestGuest(hv, "90e680", false)) {
            g.cpu.setGuestDebug(0x1 | 0x20000, new long[] {TestGuest.CODE + 1, 0, 0, 0, 0, 0, 0, 0x401});
            pcm.core.api.vm.VmExit e = g.cpu.run();
            g.cpu.setGuestDebug(0, null);
            return e instanceof pcm.core.api.vm.VmExit.Debug d && d.rip() == TestGuest.CODE + 1;
        }
    }

}
