package pcm.softcpu.internal;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HexFormat;

import pcm.core.api.cpu.Registers;
import pcm.core.api.cpu.Segment;
import pcm.core.api.cpu.SpecialRegisters;
import pcm.core.api.vm.VmExit;

/**
 * A bare vCPU in 64-bit mode on 8 MiB of RAM with the contract's identity map (2 MiB pages), code
 * at 0x100000 and RSP 0x90000. {@link #withSystemTables()} adds a GDT with user segments, a TSS
 * (RSP0 0x80000) and an IDT whose every vector points at {@code handler} code (default: HLT).
 */
final class CpuFixture implements AutoCloseable {

    static final long CODE = 0x100000, USER_CODE = 0x200000, HANDLER = 0x300000, TSS = 0xB000, IDT = 0xA000,
            RSP0 = 0x80000;
    static final ValueLayout.OfLong L = ValueLayout.JAVA_LONG_UNALIGNED;

    final Arena arena = Arena.ofShared();
    final MemorySegment ram = arena.allocate(8L << 20, 4096);
    final SoftVm vm = new SoftVm();
    final SoftVcpu vcpu;
    final Cpu cpu;

    CpuFixture() throws Exception {
        pcm.core.api.guest.LongModeBoot.writeTables((gpa, v) -> ram.set(java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED, gpa, v),
                new pcm.core.api.guest.LongModeBoot.BootInfo(GuestHarness.RAM, 1, 3, 0));
        vm.setMemoryRegion(0, 0, ram, false);
        vcpu = (SoftVcpu) vm.createVcpu(0);
        cpu = vcpu.cpu();
        vcpu.setSpecialRegisters(pcm.core.api.guest.LongModeBoot.specialRegisters());
        vcpu.setRegisters(new Registers(0, 0, 0, 0, 0, 0, 0x90000, 0, 0, 0, 0, 0, 0, 0, 0, 0, CODE, 2));
    }

    CpuFixture withSystemTables() throws Exception {
        long gdt = 0x1000;
        ram.set(L, gdt + 0x18, 0x00CFF3000000FFFFL); // user data DPL3
        ram.set(L, gdt + 0x20, 0x00AFFB000000FFFFL); // user code 64-bit DPL3
        long tssDesc = 0x67L | (TSS & 0xFFFFFFL) << 16 | 0x89L << 40 | ((TSS >>> 24) & 0xFF) << 56;
        ram.set(L, gdt + 0x28, tssDesc);
        ram.set(L, gdt + 0x30, TSS >>> 32);
        ram.set(L, TSS + 4, RSP0);
        ram.set(ValueLayout.JAVA_SHORT_UNALIGNED, TSS + 0x66, (short) 0x68); // I/O bitmap right after the TSS
        for (int i = 0; i < 0x2000 / 8; i++) ram.set(ValueLayout.JAVA_BYTE, TSS + 0x68 + i, (byte) 0xFF);
        ram.set(ValueLayout.JAVA_BYTE, TSS + 0x68 + (0x3F8 >> 3), (byte) 0); // 0x3F8-0x3FF allowed
        for (int v = 0; v < 256; v++) setGate(v, HANDLER, v == 3 ? 3 : 0);
        code(HANDLER, "f4"); // hlt
        SpecialRegisters s = vcpu.specialRegisters();
        vcpu.setSpecialRegisters(new SpecialRegisters(s.cs(), s.ds(), s.es(), s.fs(), s.gs(), s.ss(),
                new Segment(TSS, 0x68 + 0x2000, 0x28, 0xB, true, 0, false, false, false, false, false, false), s.ldt(),
                new SpecialRegisters.DescriptorTable(gdt, 0x37), new SpecialRegisters.DescriptorTable(IDT, 256 * 16 - 1),
                s.cr0(), s.cr2(), s.cr3(), s.cr4(), s.cr8(), s.efer(), s.apicBase()));
        return this;
    }

    void setGate(int v, long target, int dpl) {
        long lo = (target & 0xFFFF) | 0x08L << 16 | (0x8EL | dpl << 5) << 40 | ((target >>> 16) & 0xFFFF) << 48;
        ram.set(L, IDT + v * 16L, lo);
        ram.set(L, IDT + v * 16L + 8, target >>> 32);
    }

    /** Switches to CPL3 at {@code rip} with user segments and RSP {@code rsp}. */
    void enterUser(long rip, long rsp) throws Exception {
        SpecialRegisters s = vcpu.specialRegisters();
        Segment ucode = Segment.code64(0x23, 3);
        Segment udata = Segment.data(0x1B, 3);
        vcpu.setSpecialRegisters(new SpecialRegisters(ucode, udata, udata, udata, udata, udata, s.tr(), s.ldt(), s.gdt(),
                s.idt(), s.cr0(), s.cr2(), s.cr3(), s.cr4(), s.cr8(), s.efer(), s.apicBase()));
        cpu.rip = rip;
        cpu.r[4] = rsp;
    }

    void code(long at, String hex) {
        byte[] b = HexFormat.of().parseHex(hex.replace(" ", ""));
        MemorySegment.copy(b, 0, ram, ValueLayout.JAVA_BYTE, at, b.length);
    }

    /** Puts {@code hex} + HLT at CODE and runs to the HLT. */
    VmExit run(String hex) {
        code(CODE, hex.replace(" ", "") + "f4");
        cpu.rip = CODE;
        return runToExit();
    }

    VmExit runToExit() {
        VmExit e = cpu.run();
        return e;
    }

    long flags() { return cpu.rflags(); }

    @Override
    public void close() {
        vm.close();
        arena.close();
    }
}
