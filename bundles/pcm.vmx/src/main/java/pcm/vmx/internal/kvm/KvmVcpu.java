package pcm.vmx.internal.kvm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static pcm.vmx.internal.kvm.KvmLayouts.*;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.core.api.cpu.BackendException;
import pcm.core.api.cpu.CpuidMask;
import pcm.core.api.cpu.Registers;
import pcm.core.api.cpu.Segment;
import pcm.core.api.cpu.SpecialRegisters;
import pcm.core.api.cpu.VirtualCpu;
import pcm.core.api.exit.ExitResult;
import pcm.core.api.vm.VmExit;

/**
 * One KVM vCPU: its fd, its mmap'ed {@code kvm_run} page and preallocated ioctl buffers. All methods
 * except {@link #kick()} run on the vCPU's thread; the first {@link #run()} on a thread binds the vCPU to
 * it (blocks the kick signal there and sets KVM_SET_SIGNAL_MASK).
 */
public final class KvmVcpu implements VirtualCpu {

    private static final Logger LOG = LoggerFactory.getLogger(KvmVcpu.class);
    private static final VarHandle BYTE_VH = JAVA_BYTE.varHandle();

    private final KvmVm vm;
    private final int id;
    private final int fd;
    private final Arena arena = Arena.ofShared();
    private final MemorySegment run;
    private final ExitDecoder decoder;
    private final MemorySegment capture;      // errno of vCPU-thread calls
    private final MemorySegment kickCapture;  // errno of tgkill (any thread; value unused)
    private final MemorySegment regsBuf;
    private final MemorySegment sregsBuf;
    /** Heap copy of struct kvm_sregs, decoded and encoded by {@link SregsCodec}. */
    private final byte[] sregsHeap;
    private final MemorySegment fpuBuf;
    private final MemorySegment msrBuf;
    private final MemorySegment irqBuf;
    private final MemorySegment debugBuf;
    private final MemorySegment debugRegsBuf;
    private final MemorySegment eventsBuf;
    private final MemorySegment sigmaskBuf;
    private final MemorySegment xsaveBuf;

    private Thread owner;
    private volatile int ownerTid;
    private final KickProtocol kicks = new KickProtocol(new KickProtocol.Target() {
        @Override
        public void immediateExit(boolean on) {
            BYTE_VH.setVolatile(run, RUN_IMMEDIATE_EXIT, (byte) (on ? 1 : 0));
        }

        @Override
        public void signal() {
            int tid = ownerTid;
            if (tid != 0) KickSignal.send(kickCapture, tid);
        }

        @Override
        public int drainSignals() {
            return KickSignal.drain(capture);
        }
    });
    private volatile boolean closed;
    private VmExit last;
    private boolean singleStep;
    private List<CpuidEntry> cpuid = List.of();
    private CpuidMask notHonoured = CpuidMask.NONE;
    private long kvmRuns;
    private long kicksConsumed;

    KvmVcpu(KvmVm vm, int id, int fd, int mmapSize) throws BackendException {
        this.vm = vm;
        this.id = id;
        this.fd = fd;
        int[] err = new int[1];
        MemorySegment m = Libc.mmap(mmapSize, Libc.PROT_READ | Libc.PROT_WRITE, Libc.MAP_SHARED, fd, 0, err);
        if (m == null) {
            Libc.close(fd);
            arena.close();
            throw Errno.fail("mmap(kvm_run)", err[0]);
        }
        this.run = m;
        this.decoder = new ExitDecoder(run);
        this.capture = Libc.newCapture(arena);
        this.kickCapture = Libc.newCapture(arena);
        this.regsBuf = arena.allocate(KVM_REGS);
        this.sregsBuf = arena.allocate(KVM_SREGS);
        this.sregsHeap = new byte[SregsCodec.SIZE];
        this.fpuBuf = arena.allocate(KVM_FPU);
        this.msrBuf = arena.allocate(KVM_MSRS.byteSize() + KVM_MSR_ENTRY.byteSize(), 8);
        this.irqBuf = arena.allocate(KvmLayouts.KVM_INTERRUPT);
        this.debugBuf = arena.allocate(KVM_GUEST_DEBUG);
        this.debugRegsBuf = arena.allocate(KVM_DEBUGREGS);
        this.eventsBuf = arena.allocate(KVM_VCPU_EVENTS);
        this.sigmaskBuf = arena.allocate(KVM_SIGNAL_MASK);
        this.xsaveBuf = arena.allocate(KVM_XSAVE_SIZE, 64);
    }

    @Override
    public int id() {
        return id;
    }

    /** The vCPU fd (for diagnostics). */
    public int fd() {
        return fd;
    }

    // ------------------------------------------------------------------ ioctl helpers

    private int ioctl(long request, MemorySegment arg) throws BackendException {
        try {
            int r = (int) Libc.IOCTL_PTR.invokeExact(capture, fd, request, arg);
            if (r < 0) {
                throw Errno.fail(KvmApi.ioctlName(request), Libc.errno(capture));
            }
            return r;
        } catch (BackendException e) {
            throw e;
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
    }

    // ------------------------------------------------------------------ run / exits

    @Override
    public VmExit run() throws BackendException {
        if (decoder.hasPendingUnits()) {
            return last = decoder.nextUnit();
        }
        if (owner != Thread.currentThread()) {
            bind();
        }
        int r;
        try {
            r = (int) Libc.IOCTL_LONG.invokeExact(capture, fd, KvmApi.KVM_RUN, 0L);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
        kvmRuns++;
        if (r < 0) {
            int e = Libc.errno(capture);
            if (e == Errno.EINTR) {
                consumeKick();
                return last = ExitDecoder.INTERRUPTED;
            }
            if (closed) {
                throw new BackendException("vCPU " + id + " is closed");
            }
            throw Errno.fail("KVM_RUN", e);
        }
        VmExit exit = decoder.decode();
        if (exit instanceof VmExit.Interrupted) {
            consumeKick();
        } else if (exit instanceof VmExit.InternalError ie && ie.suberror() >= 0) {
            exit = new VmExit.InternalError(ie.suberror(), ie.detail() + ripSuffix());
        } else if (exit instanceof VmExit.Shutdown sd && sd.status() != 0) { // a triple fault or a crash, not a power-off
            exit = new VmExit.Shutdown(sd.status(), sd.reason() + shutdownState());
        }
        return last = exit;
    }

    /**
     * KVM_RUN with {@code immediate_exit=1}: the guest is not entered, but KVM refreshes the kvm_run flags
     * ({@code if_flag}, {@code ready_for_interrupt_injection}, {@code cr8}) from the current vCPU state, so
     * {@link #canInjectInterrupt()} is right after the VMM changed registers. A pending kick stays pending.
     * Not in the API (used by position counting after it rewrote the state).
     */
    public void refreshRunState() throws BackendException {
        if (owner != Thread.currentThread()) {
            bind();
        }
        BYTE_VH.setVolatile(run, RUN_IMMEDIATE_EXIT, (byte) 1);
        int r;
        try {
            r = (int) Libc.IOCTL_LONG.invokeExact(capture, fd, KvmApi.KVM_RUN, 0L);
        } catch (Throwable t) {
            throw Libc.rethrow(t);
        }
        int e = r < 0 ? Libc.errno(capture) : 0;
        if (!kicks.pending()) {
            BYTE_VH.setVolatile(run, RUN_IMMEDIATE_EXIT, (byte) 0);
        }
        if (r < 0 && e != Errno.EINTR) {
            throw Errno.fail("KVM_RUN (immediate exit)", e);
        }
    }

    private String ripSuffix() {
        try {
            Registers regs = registers();
            return String.format(", rip=0x%x", regs.rip());
        } catch (BackendException e) {
            return "";
        }
    }

    /**
     * Where the vCPU stood when KVM reported a shutdown (a triple fault): what an operator, or the engineer reading a
     * failed run, needs to tell a guest's own fault from a VMM's broken state — the registers, the segments and tables
     * the exception delivery used, and what KVM still held pending.
     */
    private String shutdownState() {
        try {
            Registers g = registers();
            SpecialRegisters s = specialRegisters();
            VcpuEvents e = vcpuEvents();
            return String.format(" at rip=0x%x rsp=0x%x rflags=0x%x cs=0x%x (dpl %d) ss=0x%x cr0=0x%x cr2=0x%x cr3=0x%x"
                            + " cr4=0x%x efer=0x%x idt=0x%x/0x%x gdt=0x%x/0x%x tr=0x%x (base 0x%x type 0x%x); %s",
                    g.rip(), g.rsp(), g.rflags(), s.cs().selector(), s.cs().dpl(), s.ss().selector(), s.cr0(), s.cr2(),
                    s.cr3(), s.cr4(), s.efer(), s.idt().base(), s.idt().limit(), s.gdt().base(), s.gdt().limit(),
                    s.tr().selector(), s.tr().base(), s.tr().type(), e);
        } catch (BackendException | RuntimeException x) {
            return " (vCPU state unavailable: " + x.getMessage() + ")";
        }
    }

    private void consumeKick() {
        kicksConsumed += kicks.consume();
    }

    /** Binds the vCPU to the calling thread: block the kick signal here, unblocked only inside KVM_RUN. */
    private void bind() throws BackendException {
        KickSignal.blockInCurrentThread(sigmaskBuf);
        KickSignal.drain(capture); // a stale kick meant for another vCPU this thread ran
        ioctl(KvmApi.KVM_SET_SIGNAL_MASK, sigmaskBuf);
        owner = Thread.currentThread();
        ownerTid = Libc.gettid();
    }

    @Override
    public void complete(VmExit exit, ExitResult result) throws BackendException {
        if (exit != last) {
            throw new IllegalStateException("complete() must get the exit the last run() returned");
        }
        switch (exit) {
            case VmExit.PortIn in -> {
                if (result instanceof ExitResult.Value v) {
                    decoder.completePortIn(v.value());
                } else if (!(result instanceof ExitResult.Stop)) {
                    decoder.completePortIn(-1L); // unclaimed port: all ones, like a floating bus
                }
            }
            case VmExit.MmioRead rd -> {
                if (result instanceof ExitResult.Value v) {
                    decoder.completeMmioRead(v.value());
                } else if (!(result instanceof ExitResult.Stop)) {
                    decoder.completeMmioRead(-1L);
                }
            }
            case VmExit.MsrRead rd -> {
                if (result instanceof ExitResult.Value v) {
                    decoder.completeMsrRead(v.value(), false);
                } else {
                    decoder.completeMsrRead(0, true);
                }
            }
            case VmExit.MsrWrite wr -> decoder.completeMsrWrite(result instanceof ExitResult.Pass);
            case VmExit.Hypercall hc -> {
                if (result instanceof ExitResult.Value v) {
                    decoder.completeHypercall(v.value());
                }
            }
            default -> {
            }
        }
    }

    @Override
    public void kick() {
        if (!closed) kicks.kick(); // false: coalesced into an unconsumed kick already on its way
    }

    // ------------------------------------------------------------------ registers

    @Override
    public Registers registers() throws BackendException {
        ioctl(KvmApi.KVM_GET_REGS, regsBuf);
        long[] a = new long[18];
        MemorySegment.copy(regsBuf, JAVA_LONG, 0, a, 0, 18); // one bulk copy: see SregsCodec
        return Registers.fromArray(a);
    }

    @Override
    public void setRegisters(Registers regs) throws BackendException {
        MemorySegment.copy(regs.toArray(), 0, regsBuf, JAVA_LONG, 0, 18);
        ioctl(KvmApi.KVM_SET_REGS, regsBuf);
    }

    @Override
    public SpecialRegisters specialRegisters() throws BackendException {
        ioctl(KvmApi.KVM_GET_SREGS, sregsBuf);
        MemorySegment.copy(sregsBuf, JAVA_BYTE, 0, sregsHeap, 0, SregsCodec.SIZE);
        return SregsCodec.decode(sregsHeap);
    }

    @Override
    public void setSpecialRegisters(SpecialRegisters r) throws BackendException {
        // Read first so the interrupt bitmap (a pending injected interrupt) is kept.
        ioctl(KvmApi.KVM_GET_SREGS, sregsBuf);
        Segment tr = r.tr();
        if (vm.system().svm() && tr.type() == 0xB && !tr.s()) {
            // KVM's svm_get_segment reports TR busy (it ORs 2 into the type: the VMCB holds what the hardware
            // stores, the available type 9), and KVM_SET_SREGS writes whatever it is given into the VMCB. Write the
            // hardware's own value back, so that a get/set round trip changes nothing. QEMU's nested SVM checks the
            // I/O bitmap only against a type-9 TR: with 0xB there every CPL3 IN/OUT of the embedded guest raised
            // #GP after the position counter's first interrupt delivery (issue 12, docs/svm-host.md cause 5).
            tr = new Segment(tr.base(), tr.limit(), tr.selector(), 0x9, tr.present(), tr.dpl(), tr.db(), tr.s(), tr.l(),
                    tr.g(), tr.avl(), tr.unusable());
        }
        MemorySegment.copy(sregsBuf, JAVA_BYTE, 0, sregsHeap, 0, SregsCodec.SIZE);
        SregsCodec.encode(r, tr, sregsHeap);
        MemorySegment.copy(sregsHeap, 0, sregsBuf, JAVA_BYTE, 0, SregsCodec.SIZE);
        ioctl(KvmApi.KVM_SET_SREGS, sregsBuf);
    }

    /**
     * The FXSAVE image. With KVM_CAP_XSAVE it is the legacy region of KVM_GET_XSAVE (complete, with MXCSR
     * and MXCSR_MASK); without it, it is built from KVM_GET_FPU, which does not carry MXCSR (the kernel
     * copies neither direction of kvm_fpu.mxcsr), so MXCSR then reads as 0.
     */
    @Override
    public byte[] fpuState() throws BackendException {
        if (vm.system().hasXsave()) {
            ioctl(KvmApi.KVM_GET_XSAVE, xsaveBuf);
            return xsaveBuf.asSlice(0, 512).toArray(JAVA_BYTE);
        }
        ioctl(KvmApi.KVM_GET_FPU, fpuBuf);
        byte[] out = new byte[512];
        MemorySegment fx = MemorySegment.ofArray(out);
        fx.set(JAVA_SHORT_U, 0, fpuBuf.get(JAVA_SHORT, FPU_FCW));
        fx.set(JAVA_SHORT_U, 2, fpuBuf.get(JAVA_SHORT, FPU_FSW));
        fx.set(JAVA_BYTE, 4, fpuBuf.get(JAVA_BYTE, FPU_FTWX));
        fx.set(JAVA_SHORT_U, 6, fpuBuf.get(JAVA_SHORT, FPU_LAST_OPCODE));
        fx.set(JAVA_LONG_U, 8, fpuBuf.get(JAVA_LONG, FPU_LAST_IP));
        fx.set(JAVA_LONG_U, 16, fpuBuf.get(JAVA_LONG, FPU_LAST_DP));
        fx.set(JAVA_INT_U, 24, fpuBuf.get(JAVA_INT, FPU_MXCSR));
        MemorySegment.copy(fpuBuf, FPU_FPR, fx, 32, 128);
        MemorySegment.copy(fpuBuf, FPU_XMM, fx, 160, 256);
        return out;
    }

    /**
     * Sets the x87/SSE state from an FXSAVE image: with KVM_CAP_XSAVE through KVM_GET_XSAVE + KVM_SET_XSAVE
     * (legacy region replaced except MXCSR_MASK, XSTATE_BV |= x87|SSE so the kernel takes it, MXCSR
     * included); otherwise through KVM_SET_FPU (MXCSR is then ignored by the kernel).
     */
    @Override
    public void setFpuState(byte[] fxsave) throws BackendException {
        if (fxsave.length < 416) {
            throw new IllegalArgumentException("FXSAVE image is 512 bytes, got " + fxsave.length);
        }
        MemorySegment fx = MemorySegment.ofArray(fxsave);
        if (vm.system().hasXsave()) {
            ioctl(KvmApi.KVM_GET_XSAVE, xsaveBuf);
            MemorySegment.copy(fx, 0, xsaveBuf, 0, 28);       // up to MXCSR
            MemorySegment.copy(fx, 32, xsaveBuf, 32, 384);    // ST0-7, XMM0-15
            xsaveBuf.set(JAVA_LONG, 512, xsaveBuf.get(JAVA_LONG, 512) | 0x3); // XSTATE_BV: x87, SSE
            ioctl(KvmApi.KVM_SET_XSAVE, xsaveBuf);
            return;
        }
        fpuBuf.fill((byte) 0);
        fpuBuf.set(JAVA_SHORT, FPU_FCW, fx.get(JAVA_SHORT_U, 0));
        fpuBuf.set(JAVA_SHORT, FPU_FSW, fx.get(JAVA_SHORT_U, 2));
        fpuBuf.set(JAVA_BYTE, FPU_FTWX, fx.get(JAVA_BYTE, 4));
        fpuBuf.set(JAVA_SHORT, FPU_LAST_OPCODE, fx.get(JAVA_SHORT_U, 6));
        fpuBuf.set(JAVA_LONG, FPU_LAST_IP, fx.get(JAVA_LONG_U, 8));
        fpuBuf.set(JAVA_LONG, FPU_LAST_DP, fx.get(JAVA_LONG_U, 16));
        fpuBuf.set(JAVA_INT, FPU_MXCSR, fx.get(JAVA_INT_U, 24));
        MemorySegment.copy(fx, 32, fpuBuf, FPU_FPR, 128);
        MemorySegment.copy(fx, 160, fpuBuf, FPU_XMM, 256);
        ioctl(KvmApi.KVM_SET_FPU, fpuBuf);
    }

    /** The x87/SSE state through KVM_GET_FPU only (no MXCSR, see {@link #fpuState()}). Not in the API. */
    public byte[] fpuStateLegacy() throws BackendException {
        ioctl(KvmApi.KVM_GET_FPU, fpuBuf);
        byte[] out = new byte[512];
        MemorySegment fx = MemorySegment.ofArray(out);
        fx.set(JAVA_SHORT_U, 0, fpuBuf.get(JAVA_SHORT, FPU_FCW));
        MemorySegment.copy(fpuBuf, FPU_FPR, fx, 32, 128);
        MemorySegment.copy(fpuBuf, FPU_XMM, fx, 160, 256);
        return out;
    }

    private static final java.lang.foreign.ValueLayout.OfLong JAVA_LONG_U = java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
    private static final java.lang.foreign.ValueLayout.OfInt JAVA_INT_U = java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
    private static final java.lang.foreign.ValueLayout.OfShort JAVA_SHORT_U = java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;

    /** KVM_GET_XSAVE: the 4 KiB XSAVE area (legacy region + header + extended components). Not in the API. */
    public byte[] xsave() throws BackendException {
        ioctl(KvmApi.KVM_GET_XSAVE, xsaveBuf);
        return xsaveBuf.toArray(JAVA_BYTE);
    }

    /** KVM_SET_XSAVE (standard format; the kernel takes a component only if its XSTATE_BV bit is set). Not in the API. */
    public void setXsave(byte[] area) throws BackendException {
        xsaveBuf.fill((byte) 0);
        MemorySegment.copy(MemorySegment.ofArray(area), 0, xsaveBuf, 0, Math.min(area.length, KVM_XSAVE_SIZE));
        ioctl(KvmApi.KVM_SET_XSAVE, xsaveBuf);
    }

    /** XCR0 via KVM_GET_XCRS. Not in the API. */
    public long xcr0() throws BackendException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(KVM_XCRS);
            ioctl(KvmApi.KVM_GET_XCRS, buf);
            int n = buf.get(JAVA_INT, 0);
            for (int i = 0; i < n; i++) {
                if (buf.get(JAVA_INT, 8 + 16L * i) == 0) {
                    return buf.get(JAVA_LONG, 16 + 16L * i);
                }
            }
            return 0;
        }
    }

    /** Sets XCR0 via KVM_SET_XCRS. Not in the API. */
    public void setXcr0(long value) throws BackendException {
        try (Arena a = Arena.ofConfined()) {
            MemorySegment buf = a.allocate(KVM_XCRS);
            buf.set(JAVA_INT, 0, 1);
            buf.set(JAVA_INT, 8, 0);
            buf.set(JAVA_LONG, 16, value);
            ioctl(KvmApi.KVM_SET_XCRS, buf);
        }
    }

    @Override
    public long readMsr(int index) throws BackendException {
        msrBuf.fill((byte) 0);
        msrBuf.set(JAVA_INT, 0, 1);
        msrBuf.set(JAVA_INT, KVM_MSRS.byteSize(), index);
        int n = ioctl(KvmApi.KVM_GET_MSRS, msrBuf);
        if (n != 1) {
            throw new BackendException(String.format("KVM_GET_MSRS failed: MSR 0x%x not readable (%d of 1 read)", index, n));
        }
        return msrBuf.get(JAVA_LONG, KVM_MSRS.byteSize() + 8);
    }

    @Override
    public void writeMsr(int index, long value) throws BackendException {
        msrBuf.fill((byte) 0);
        msrBuf.set(JAVA_INT, 0, 1);
        msrBuf.set(JAVA_INT, KVM_MSRS.byteSize(), index);
        msrBuf.set(JAVA_LONG, KVM_MSRS.byteSize() + 8, value);
        int n = ioctl(KvmApi.KVM_SET_MSRS, msrBuf);
        if (n != 1) {
            throw new BackendException(String.format("KVM_SET_MSRS failed: MSR 0x%x rejected the value 0x%x (%d of 1 written)",
                    index, value, n));
        }
    }

    // ------------------------------------------------------------------ CPUID

    @Override
    public void setCpuid(CpuidMask hide) throws BackendException {
        List<CpuidEntry> table = new ArrayList<>();
        for (CpuidEntry e : vm.system().supportedCpuid()) {
            int ebx = e.ebx(), ecx = e.ecx(), edx = e.edx(), eax = e.eax();
            if (e.function() == 1) {
                ecx &= ~hide.leaf1Ecx();
                edx &= ~hide.leaf1Edx();
                ebx = (ebx & 0x00FF_FFFF) | (id << 24); // initial APIC ID
            } else if (e.function() == 7 && e.index() == 0) {
                ebx &= ~hide.leaf7Ebx();
                ecx &= ~hide.leaf7Ecx();
            } else if (e.function() == 0xB || e.function() == 0x1F) {
                edx = id; // x2APIC ID
            }
            table.add(e.withRegs(eax, ebx, ecx, edx));
        }
        try (Arena a = Arena.ofConfined()) {
            ioctl(KvmApi.KVM_SET_CPUID2, KvmSystem.writeCpuidEntries(a, table));
        }
        List<CpuidEntry> effective = readCpuid(table.size());
        this.cpuid = effective;
        // What the host did not honour: bits we hid that the guest still sees.
        CpuidEntry l1 = find(effective, 1, 0), l7 = find(effective, 7, 0);
        CpuidMask left = new CpuidMask(l1 == null ? 0 : l1.ecx() & hide.leaf1Ecx(), l1 == null ? 0 : l1.edx() & hide.leaf1Edx(),
                l7 == null ? 0 : l7.ebx() & hide.leaf7Ebx(), l7 == null ? 0 : l7.ecx() & hide.leaf7Ecx());
        this.notHonoured = left;
        if (!left.equals(CpuidMask.NONE)) {
            LOG.warn("vCPU {}: the host did not honour the CPUID mask; still visible to the guest: leaf1.ecx={} leaf1.edx={}"
                            + " leaf7.ebx={} leaf7.ecx={} ({})", id, hex(left.leaf1Ecx()), hex(left.leaf1Edx()),
                    hex(left.leaf7Ebx()), hex(left.leaf7Ecx()), vm.system().kind());
        }
        CpuidEntry s1 = find(table, 1, 0), s7 = find(table, 7, 0);
        if (s1 != null && l1 != null && (s1.ecx() != l1.ecx() || s1.edx() != l1.edx())
                || s7 != null && l7 != null && (s7.ebx() != l7.ebx() || s7.ecx() != l7.ecx())) {
            LOG.debug("vCPU {}: KVM_SET_CPUID2 leaf 1/7 replaced by the host: set {} / {}, effective {} / {}", id, s1, s7, l1, l7);
        }
    }

    private static String hex(int v) {
        return "0x" + Integer.toHexString(v);
    }

    static CpuidEntry find(List<CpuidEntry> table, int leaf, int subleaf) {
        for (CpuidEntry e : table) {
            if (e.matches(leaf, subleaf)) {
                return e;
            }
        }
        return null;
    }

    private List<CpuidEntry> readCpuid(int hint) throws BackendException {
        for (int n = Math.max(hint, 8) + 16; ; n *= 2) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment buf = a.allocate(KVM_CPUID2.byteSize() + n * KVM_CPUID_ENTRY2.byteSize(), 8);
                buf.set(JAVA_INT, 0, n);
                int r = (int) Libc.IOCTL_PTR.invokeExact(capture, fd, KvmApi.KVM_GET_CPUID2, buf);
                if (r < 0) {
                    int e = Libc.errno(capture);
                    if (e == Errno.E2BIG && n < 4096) {
                        continue;
                    }
                    throw Errno.fail("KVM_GET_CPUID2", e);
                }
                return List.copyOf(KvmSystem.readCpuidEntries(buf));
            } catch (BackendException e) {
                throw e;
            } catch (Throwable t) {
                throw Libc.rethrow(t);
            }
        }
    }

    /** The CPUID table KVM actually uses for this vCPU (KVM_GET_CPUID2 after the last {@link #setCpuid}). */
    public List<CpuidEntry> cpuid() {
        return cpuid;
    }

    /** The bits of the last {@link #setCpuid} mask the host ignored (still set in the effective table). */
    public CpuidMask cpuidNotHonoured() {
        return notHonoured;
    }

    // ------------------------------------------------------------------ interrupts, events, debug

    @Override
    public boolean canInjectInterrupt() {
        return run.get(JAVA_BYTE, RUN_READY_FOR_INTERRUPT_INJECTION) != 0 && run.get(JAVA_BYTE, RUN_IF_FLAG) != 0;
    }

    /**
     * Takes an interrupt the VMM injects instead of KVM_INTERRUPT while set. Not in the API: the position counter
     * delivers interrupts itself on hardware hosts, where an injected event clears the single-step TF (see
     * {@code pcm.vmx.internal.position.InterruptDelivery}).
     */
    public interface InterruptInterceptor {
        void deliver(int vector) throws BackendException;
    }

    private InterruptInterceptor interceptor;

    /** Sets (or with null removes) the {@link InterruptInterceptor}. */
    public void interceptInterrupts(InterruptInterceptor i) {
        interceptor = i;
    }

    @Override
    public void injectInterrupt(int vector) throws BackendException {
        if (interceptor != null) {
            interceptor.deliver(vector);
            return;
        }
        irqBuf.set(JAVA_INT, 0, vector);
        ioctl(KvmApi.KVM_INTERRUPT, irqBuf);
        lastInjected = vector;
    }

    private int lastInjected = -1;

    /**
     * Forgets what the last run left for the VMM to finish — string-I/O units not yet returned, an injected vector not
     * yet taken, the interrupt-window request, a kick not yet consumed — so a vCPU reused for another guest state (the KVM RCP's kept replay
     * machines) starts as a new one. Call {@link #refreshRunState()} first to let KVM finish a pending I/O. Not in the API.
     */
    public void discardExitState() {
        consumeKick(); // a kick that ended the last replay (its time bound) must not end this one's first run
        decoder.resetPending();
        lastInjected = -1;
        last = null;
        requestInterruptWindow(false);
    }

    /**
     * The vector of the last {@link #injectInterrupt} since this was last called, -1 if none (the position
     * counter learns that a delivery is coming without a KVM_GET_VCPU_EVENTS per run). Not in the API.
     */
    public int takeInjectedVector() {
        int v = lastInjected;
        lastInjected = -1;
        return v;
    }

    @Override
    public void requestInterruptWindow(boolean request) {
        run.set(JAVA_BYTE, RUN_REQUEST_INTERRUPT_WINDOW, (byte) (request ? 1 : 0));
    }

    @Override
    public void setSingleStep(boolean enabled) throws BackendException {
        setGuestDebug(enabled ? KvmApi.KVM_GUESTDBG_ENABLE | KvmApi.KVM_GUESTDBG_SINGLESTEP : 0, null);
        singleStep = enabled;
    }

    public boolean singleStep() {
        return singleStep;
    }

    /**
     * KVM_SET_GUEST_DEBUG with any control bits (KVM_GUESTDBG_*) and debug registers DR0-3, DR6, DR7 in
     * slots 0-3, 6, 7 ({@code null}: zeros). Not in the API (hardware breakpoints).
     */
    public void setGuestDebug(int control, long[] debugRegs) throws BackendException {
        debugBuf.fill((byte) 0);
        debugBuf.set(JAVA_INT, 0, control);
        if (debugRegs != null) {
            for (int i = 0; i < Math.min(8, debugRegs.length); i++) {
                debugBuf.set(JAVA_LONG, 8 + 8L * i, debugRegs[i]);
            }
        }
        ioctl(KvmApi.KVM_SET_GUEST_DEBUG, debugBuf);
    }

    /** KVM_GET_VCPU_EVENTS. Not in the API. */
    public VcpuEvents vcpuEvents() throws BackendException {
        ioctl(KvmApi.KVM_GET_VCPU_EVENTS, eventsBuf);
        MemorySegment m = eventsBuf;
        return new VcpuEvents(m.get(JAVA_BYTE, EV_EXC_INJECTED) != 0, m.get(JAVA_BYTE, EV_EXC_NR) & 0xFF,
                m.get(JAVA_BYTE, EV_EXC_HAS_ERROR_CODE) != 0, m.get(JAVA_BYTE, EV_EXC_PENDING) != 0,
                m.get(JAVA_INT, EV_EXC_ERROR_CODE), m.get(JAVA_BYTE, EV_INT_INJECTED) != 0,
                m.get(JAVA_BYTE, EV_INT_NR) & 0xFF, m.get(JAVA_BYTE, EV_INT_SOFT) != 0,
                m.get(JAVA_BYTE, EV_INT_SHADOW) & 0xFF, m.get(JAVA_BYTE, EV_NMI_INJECTED) != 0,
                m.get(JAVA_BYTE, EV_NMI_PENDING) != 0, m.get(JAVA_BYTE, EV_NMI_MASKED) != 0,
                m.get(JAVA_INT, EV_SIPI_VECTOR), m.get(JAVA_INT, EV_FLAGS),
                m.get(JAVA_BYTE, EV_TRIPLE_FAULT_PENDING) != 0);
    }

    /** KVM_SET_VCPU_EVENTS; {@code flags} says which optional parts are valid (KVM_VCPUEVENT_VALID_*). Not in the API. */
    public void setVcpuEvents(VcpuEvents e) throws BackendException {
        MemorySegment m = eventsBuf;
        m.fill((byte) 0);
        m.set(JAVA_BYTE, EV_EXC_INJECTED, b(e.exceptionInjected()));
        m.set(JAVA_BYTE, EV_EXC_NR, (byte) e.exceptionNr());
        m.set(JAVA_BYTE, EV_EXC_HAS_ERROR_CODE, b(e.exceptionHasErrorCode()));
        m.set(JAVA_BYTE, EV_EXC_PENDING, b(e.exceptionPending()));
        m.set(JAVA_INT, EV_EXC_ERROR_CODE, e.exceptionErrorCode());
        m.set(JAVA_BYTE, EV_INT_INJECTED, b(e.interruptInjected()));
        m.set(JAVA_BYTE, EV_INT_NR, (byte) e.interruptNr());
        m.set(JAVA_BYTE, EV_INT_SOFT, b(e.interruptSoft()));
        m.set(JAVA_BYTE, EV_INT_SHADOW, (byte) e.interruptShadow());
        m.set(JAVA_BYTE, EV_NMI_INJECTED, b(e.nmiInjected()));
        m.set(JAVA_BYTE, EV_NMI_PENDING, b(e.nmiPending()));
        m.set(JAVA_BYTE, EV_NMI_MASKED, b(e.nmiMasked()));
        m.set(JAVA_INT, EV_SIPI_VECTOR, e.sipiVector());
        // Only the flags KVM_SET_VCPU_EVENTS accepts without extra capabilities.
        m.set(JAVA_INT, EV_FLAGS, e.flags() & (KvmApi.KVM_VCPUEVENT_VALID_NMI_PENDING
                | KvmApi.KVM_VCPUEVENT_VALID_SIPI_VECTOR | KvmApi.KVM_VCPUEVENT_VALID_SHADOW));
        ioctl(KvmApi.KVM_SET_VCPU_EVENTS, m);
    }

    /**
     * KVM_GET_DEBUGREGS: the guest's DR0-DR3 in slots 0-3, DR6 in slot 6, DR7 in slot 7 (slots 4, 5 zero).
     * Not in the API (position counting checks DR6 around trap-flag steps).
     */
    public long[] debugRegs() throws BackendException {
        ioctl(KvmApi.KVM_GET_DEBUGREGS, debugRegsBuf);
        long[] d = new long[8];
        for (int i = 0; i < 4; i++) {
            d[i] = debugRegsBuf.get(JAVA_LONG, DEBUGREGS_DB + 8L * i);
        }
        d[6] = debugRegsBuf.get(JAVA_LONG, DEBUGREGS_DR6);
        d[7] = debugRegsBuf.get(JAVA_LONG, DEBUGREGS_DR7);
        return d;
    }

    /** KVM_SET_DEBUGREGS with the layout of {@link #debugRegs()}. Not in the API. */
    public void setDebugRegs(long[] d) throws BackendException {
        debugRegsBuf.fill((byte) 0); // flags and reserved: KVM rejects a non-zero flags
        for (int i = 0; i < 4; i++) {
            debugRegsBuf.set(JAVA_LONG, DEBUGREGS_DB + 8L * i, d[i]);
        }
        debugRegsBuf.set(JAVA_LONG, DEBUGREGS_DR6, d[6]);
        debugRegsBuf.set(JAVA_LONG, DEBUGREGS_DR7, d[7]);
        ioctl(KvmApi.KVM_SET_DEBUGREGS, debugRegsBuf);
    }

    /** The kind of KVM host this vCPU runs on (PVM or hardware). */
    public pcm.core.api.cpu.HostInfo.Kind hostKind() {
        return vm.system().kind();
    }

    /** Whether the host has KVM_CAP_SET_GUEST_DEBUG (single-step). */
    public boolean hasGuestDebug() {
        return vm.system().hasGuestDebug();
    }

    private static byte b(boolean v) {
        return (byte) (v ? 1 : 0);
    }

    /** kvm_run.cr8 after the last exit. */
    public long cr8() {
        return run.get(JAVA_LONG, RUN_CR8);
    }

    /** Number of KVM_RUN calls made (diagnostics). */
    public long kvmRuns() {
        return kvmRuns;
    }

    /** Kick signals consumed after EINTR (diagnostics). */
    public long kicksConsumed() {
        return kicksConsumed;
    }

    /** The Linux thread id the vCPU is bound to, 0 before the first run. */
    public int threadId() {
        return ownerTid;
    }

    /** The kvm_run page (tests, diagnostics). */
    MemorySegment runPage() {
        return run;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        ownerTid = 0;
        vm.forget(this);
        Libc.munmap(run);
        Libc.close(fd);
        arena.close();
    }
}
