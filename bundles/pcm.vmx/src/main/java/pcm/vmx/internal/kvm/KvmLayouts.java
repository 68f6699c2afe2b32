package pcm.vmx.internal.kvm;

import static java.lang.foreign.MemoryLayout.paddingLayout;
import static java.lang.foreign.MemoryLayout.sequenceLayout;
import static java.lang.foreign.MemoryLayout.structLayout;
import static java.lang.foreign.MemoryLayout.unionLayout;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.GroupLayout;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemoryLayout.PathElement;
import java.lang.foreign.StructLayout;

/**
 * The x86-64 KVM structs as {@link StructLayout}s, and the offsets used by the code (derived from the
 * layouts, so the two cannot drift). Sizes are checked in {@link #check()} against the sizes encoded
 * in the ioctl numbers of {@link KvmApi}. Each struct links to its section of the KVM API document.
 */
final class KvmLayouts {

    private KvmLayouts() {}

    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-get-regs">struct kvm_regs</a>, 144 bytes. */
    static final StructLayout KVM_REGS = structLayout(
            JAVA_LONG.withName("rax"), JAVA_LONG.withName("rbx"), JAVA_LONG.withName("rcx"), JAVA_LONG.withName("rdx"),
            JAVA_LONG.withName("rsi"), JAVA_LONG.withName("rdi"), JAVA_LONG.withName("rsp"), JAVA_LONG.withName("rbp"),
            JAVA_LONG.withName("r8"), JAVA_LONG.withName("r9"), JAVA_LONG.withName("r10"), JAVA_LONG.withName("r11"),
            JAVA_LONG.withName("r12"), JAVA_LONG.withName("r13"), JAVA_LONG.withName("r14"), JAVA_LONG.withName("r15"),
            JAVA_LONG.withName("rip"), JAVA_LONG.withName("rflags")).withName("kvm_regs");

    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-get-sregs">struct kvm_segment</a>, 24 bytes. */
    static final StructLayout KVM_SEGMENT = structLayout(
            JAVA_LONG.withName("base"), JAVA_INT.withName("limit"), JAVA_SHORT.withName("selector"),
            JAVA_BYTE.withName("type"), JAVA_BYTE.withName("present"), JAVA_BYTE.withName("dpl"),
            JAVA_BYTE.withName("db"), JAVA_BYTE.withName("s"), JAVA_BYTE.withName("l"), JAVA_BYTE.withName("g"),
            JAVA_BYTE.withName("avl"), JAVA_BYTE.withName("unusable"), JAVA_BYTE.withName("padding"))
            .withName("kvm_segment");

    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-get-sregs">struct kvm_dtable</a>, 16 bytes. */
    static final StructLayout KVM_DTABLE = structLayout(
            JAVA_LONG.withName("base"), JAVA_SHORT.withName("limit"), sequenceLayout(3, JAVA_SHORT).withName("padding"))
            .withName("kvm_dtable");

    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-get-sregs">struct kvm_sregs</a>, 312 bytes. */
    static final StructLayout KVM_SREGS = structLayout(
            KVM_SEGMENT.withName("cs"), KVM_SEGMENT.withName("ds"), KVM_SEGMENT.withName("es"),
            KVM_SEGMENT.withName("fs"), KVM_SEGMENT.withName("gs"), KVM_SEGMENT.withName("ss"),
            KVM_SEGMENT.withName("tr"), KVM_SEGMENT.withName("ldt"),
            KVM_DTABLE.withName("gdt"), KVM_DTABLE.withName("idt"),
            JAVA_LONG.withName("cr0"), JAVA_LONG.withName("cr2"), JAVA_LONG.withName("cr3"), JAVA_LONG.withName("cr4"),
            JAVA_LONG.withName("cr8"), JAVA_LONG.withName("efer"), JAVA_LONG.withName("apic_base"),
            sequenceLayout(4, JAVA_LONG).withName("interrupt_bitmap")).withName("kvm_sregs");

    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-get-fpu">struct kvm_fpu</a>, 416 bytes. */
    static final StructLayout KVM_FPU = structLayout(
            sequenceLayout(128, JAVA_BYTE).withName("fpr"), JAVA_SHORT.withName("fcw"), JAVA_SHORT.withName("fsw"),
            JAVA_BYTE.withName("ftwx"), JAVA_BYTE.withName("pad1"), JAVA_SHORT.withName("last_opcode"),
            JAVA_LONG.withName("last_ip"), JAVA_LONG.withName("last_dp"), sequenceLayout(256, JAVA_BYTE).withName("xmm"),
            JAVA_INT.withName("mxcsr"), JAVA_INT.withName("pad2")).withName("kvm_fpu");

    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-get-msrs">struct kvm_msr_entry</a>, 16 bytes. */
    static final StructLayout KVM_MSR_ENTRY = structLayout(
            JAVA_INT.withName("index"), JAVA_INT.withName("reserved"), JAVA_LONG.withName("data")).withName("kvm_msr_entry");
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-get-msrs">struct kvm_msrs</a> header (entries follow), 8 bytes. */
    static final StructLayout KVM_MSRS = structLayout(
            JAVA_INT.withName("nmsrs"), JAVA_INT.withName("pad")).withName("kvm_msrs");

    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-get-supported-cpuid">struct kvm_cpuid_entry2</a>, 40 bytes. */
    static final StructLayout KVM_CPUID_ENTRY2 = structLayout(
            JAVA_INT.withName("function"), JAVA_INT.withName("index"), JAVA_INT.withName("flags"),
            JAVA_INT.withName("eax"), JAVA_INT.withName("ebx"), JAVA_INT.withName("ecx"), JAVA_INT.withName("edx"),
            sequenceLayout(3, JAVA_INT).withName("padding")).withName("kvm_cpuid_entry2");
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-set-cpuid2">struct kvm_cpuid2</a> header (entries follow), 8 bytes. */
    static final StructLayout KVM_CPUID2 = structLayout(
            JAVA_INT.withName("nent"), JAVA_INT.withName("padding")).withName("kvm_cpuid2");

    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-set-user-memory-region">struct kvm_userspace_memory_region</a>, 32 bytes. */
    static final StructLayout KVM_USERSPACE_MEMORY_REGION = structLayout(
            JAVA_INT.withName("slot"), JAVA_INT.withName("flags"), JAVA_LONG.withName("guest_phys_addr"),
            JAVA_LONG.withName("memory_size"), JAVA_LONG.withName("userspace_addr"))
            .withName("kvm_userspace_memory_region");

    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-set-guest-debug">struct kvm_guest_debug</a> (x86 arch part: debugreg[8]), 72 bytes. */
    static final StructLayout KVM_GUEST_DEBUG = structLayout(
            JAVA_INT.withName("control"), JAVA_INT.withName("pad"), sequenceLayout(8, JAVA_LONG).withName("debugreg"))
            .withName("kvm_guest_debug");

    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-get-debugregs">struct kvm_debugregs</a>, 128 bytes. */
    static final StructLayout KVM_DEBUGREGS = structLayout(
            sequenceLayout(4, JAVA_LONG).withName("db"), JAVA_LONG.withName("dr6"), JAVA_LONG.withName("dr7"),
            JAVA_LONG.withName("flags"), sequenceLayout(9, JAVA_LONG).withName("reserved")).withName("kvm_debugregs");

    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-get-vcpu-events">struct kvm_vcpu_events</a>, 64 bytes. */
    static final StructLayout KVM_VCPU_EVENTS = structLayout(
            structLayout(JAVA_BYTE.withName("injected"), JAVA_BYTE.withName("nr"), JAVA_BYTE.withName("has_error_code"),
                    JAVA_BYTE.withName("pending"), JAVA_INT.withName("error_code")).withName("exception"),
            structLayout(JAVA_BYTE.withName("injected"), JAVA_BYTE.withName("nr"), JAVA_BYTE.withName("soft"),
                    JAVA_BYTE.withName("shadow")).withName("interrupt"),
            structLayout(JAVA_BYTE.withName("injected"), JAVA_BYTE.withName("pending"), JAVA_BYTE.withName("masked"),
                    JAVA_BYTE.withName("pad")).withName("nmi"),
            JAVA_INT.withName("sipi_vector"), JAVA_INT.withName("flags"),
            structLayout(JAVA_BYTE.withName("smm"), JAVA_BYTE.withName("pending"), JAVA_BYTE.withName("smm_inside_nmi"),
                    JAVA_BYTE.withName("latched_init")).withName("smi"),
            structLayout(JAVA_BYTE.withName("pending")).withName("triple_fault"),
            sequenceLayout(26, JAVA_BYTE).withName("reserved"), JAVA_BYTE.withName("exception_has_payload"),
            JAVA_LONG.withName("exception_payload")).withName("kvm_vcpu_events");

    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-get-dirty-log">struct kvm_dirty_log</a>, 16 bytes. */
    static final StructLayout KVM_DIRTY_LOG = structLayout(
            JAVA_INT.withName("slot"), JAVA_INT.withName("padding1"), JAVA_LONG.withName("dirty_bitmap"))
            .withName("kvm_dirty_log");

    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-interrupt">struct kvm_interrupt</a>, 4 bytes. */
    static final StructLayout KVM_INTERRUPT = structLayout(JAVA_INT.withName("irq")).withName("kvm_interrupt");

    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-set-signal-mask">struct kvm_signal_mask</a> with the kernel's 8-byte sigset. */
    static final StructLayout KVM_SIGNAL_MASK = structLayout(
            JAVA_INT.withName("len"), JAVA_INT.withName("sigset_lo"), JAVA_INT.withName("sigset_hi")).withName("kvm_signal_mask");

    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-get-xsave">struct kvm_xsave</a>, 4096 bytes. */
    static final long KVM_XSAVE_SIZE = 4096;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-get-xcrs">struct kvm_xcrs</a>: nr_xcrs, flags, xcrs[16] {xcr u32, reserved u32, value u64}, padding[16] u64. */
    static final StructLayout KVM_XCRS = structLayout(
            JAVA_INT.withName("nr_xcrs"), JAVA_INT.withName("flags"),
            sequenceLayout(16, structLayout(JAVA_INT.withName("xcr"), JAVA_INT.withName("reserved"),
                    JAVA_LONG.withName("value"))).withName("xcrs"),
            sequenceLayout(16, JAVA_LONG).withName("padding")).withName("kvm_xcrs");

    // ---- struct kvm_run: https://docs.kernel.org/virt/kvm/api.html#the-kvm-run-structure ----

    /** run->io (KVM_EXIT_IO). */
    static final StructLayout RUN_IO = structLayout(
            JAVA_BYTE.withName("direction"), JAVA_BYTE.withName("size"), JAVA_SHORT.withName("port"),
            JAVA_INT.withName("count"), JAVA_LONG.withName("data_offset")).withName("io");
    /** run->mmio (KVM_EXIT_MMIO). */
    static final StructLayout RUN_MMIO = structLayout(
            JAVA_LONG.withName("phys_addr"), sequenceLayout(8, JAVA_BYTE).withName("data"), JAVA_INT.withName("len"),
            JAVA_BYTE.withName("is_write"), paddingLayout(3)).withName("mmio");
    /** run->debug.arch (KVM_EXIT_DEBUG, x86). */
    static final StructLayout RUN_DEBUG = structLayout(
            JAVA_INT.withName("exception"), JAVA_INT.withName("pad"), JAVA_LONG.withName("pc"),
            JAVA_LONG.withName("dr6"), JAVA_LONG.withName("dr7")).withName("debug");
    /** run->internal (KVM_EXIT_INTERNAL_ERROR). */
    static final StructLayout RUN_INTERNAL = structLayout(
            JAVA_INT.withName("suberror"), JAVA_INT.withName("ndata"), sequenceLayout(16, JAVA_LONG).withName("data"))
            .withName("internal");
    /** run->fail_entry (KVM_EXIT_FAIL_ENTRY). */
    static final StructLayout RUN_FAIL_ENTRY = structLayout(
            JAVA_LONG.withName("hardware_entry_failure_reason"), JAVA_INT.withName("cpu"), paddingLayout(4))
            .withName("fail_entry");
    /** run->hypercall (KVM_EXIT_HYPERCALL). */
    static final StructLayout RUN_HYPERCALL = structLayout(
            JAVA_LONG.withName("nr"), sequenceLayout(6, JAVA_LONG).withName("args"), JAVA_LONG.withName("ret"),
            JAVA_LONG.withName("flags")).withName("hypercall");
    /** run->msr (KVM_EXIT_X86_RDMSR / WRMSR). */
    static final StructLayout RUN_MSR = structLayout(
            JAVA_BYTE.withName("error"), paddingLayout(7), JAVA_INT.withName("reason"), JAVA_INT.withName("index"),
            JAVA_LONG.withName("data")).withName("msr");
    /** run->system_event (KVM_EXIT_SYSTEM_EVENT). */
    static final StructLayout RUN_SYSTEM_EVENT = structLayout(
            JAVA_INT.withName("type"), JAVA_INT.withName("ndata"), sequenceLayout(16, JAVA_LONG).withName("data"))
            .withName("system_event");

    /** The exit union: 256 bytes. */
    static final GroupLayout RUN_EXIT_UNION = unionLayout(RUN_IO, RUN_MMIO, RUN_DEBUG, RUN_INTERNAL, RUN_FAIL_ENTRY,
            RUN_HYPERCALL, RUN_MSR, RUN_SYSTEM_EVENT, sequenceLayout(256, JAVA_BYTE).withName("padding"));

    /** struct kvm_run up to and including the exit union (the rest: sync regs, not used). */
    static final StructLayout KVM_RUN = structLayout(
            JAVA_BYTE.withName("request_interrupt_window"), JAVA_BYTE.withName("immediate_exit"),
            sequenceLayout(6, JAVA_BYTE).withName("padding1"),
            JAVA_INT.withName("exit_reason"), JAVA_BYTE.withName("ready_for_interrupt_injection"),
            JAVA_BYTE.withName("if_flag"), JAVA_SHORT.withName("flags"),
            JAVA_LONG.withName("cr8"), JAVA_LONG.withName("apic_base"),
            RUN_EXIT_UNION.withName("exit")).withName("kvm_run");

    static long off(MemoryLayout layout, String... path) {
        PathElement[] p = new PathElement[path.length];
        for (int i = 0; i < path.length; i++) {
            p[i] = PathElement.groupElement(path[i]);
        }
        return layout.byteOffset(p);
    }

    // kvm_run offsets, used on the hot path
    static final long RUN_REQUEST_INTERRUPT_WINDOW = off(KVM_RUN, "request_interrupt_window");
    static final long RUN_IMMEDIATE_EXIT = off(KVM_RUN, "immediate_exit");
    static final long RUN_EXIT_REASON = off(KVM_RUN, "exit_reason");
    static final long RUN_READY_FOR_INTERRUPT_INJECTION = off(KVM_RUN, "ready_for_interrupt_injection");
    static final long RUN_IF_FLAG = off(KVM_RUN, "if_flag");
    static final long RUN_CR8 = off(KVM_RUN, "cr8");
    static final long RUN_IO_DIRECTION = off(KVM_RUN, "exit", "io", "direction");
    static final long RUN_IO_SIZE = off(KVM_RUN, "exit", "io", "size");
    static final long RUN_IO_PORT = off(KVM_RUN, "exit", "io", "port");
    static final long RUN_IO_COUNT = off(KVM_RUN, "exit", "io", "count");
    static final long RUN_IO_DATA_OFFSET = off(KVM_RUN, "exit", "io", "data_offset");
    static final long RUN_MMIO_PHYS_ADDR = off(KVM_RUN, "exit", "mmio", "phys_addr");
    static final long RUN_MMIO_DATA = off(KVM_RUN, "exit", "mmio", "data");
    static final long RUN_MMIO_LEN = off(KVM_RUN, "exit", "mmio", "len");
    static final long RUN_MMIO_IS_WRITE = off(KVM_RUN, "exit", "mmio", "is_write");
    static final long RUN_DEBUG_EXCEPTION = off(KVM_RUN, "exit", "debug", "exception");
    static final long RUN_DEBUG_PC = off(KVM_RUN, "exit", "debug", "pc");
    static final long RUN_DEBUG_DR6 = off(KVM_RUN, "exit", "debug", "dr6");
    static final long RUN_DEBUG_DR7 = off(KVM_RUN, "exit", "debug", "dr7");
    static final long RUN_INTERNAL_SUBERROR = off(KVM_RUN, "exit", "internal", "suberror");
    static final long RUN_INTERNAL_NDATA = off(KVM_RUN, "exit", "internal", "ndata");
    static final long RUN_INTERNAL_DATA = off(KVM_RUN, "exit", "internal", "data");
    static final long RUN_FAIL_ENTRY_REASON = off(KVM_RUN, "exit", "fail_entry", "hardware_entry_failure_reason");
    static final long RUN_FAIL_ENTRY_CPU = off(KVM_RUN, "exit", "fail_entry", "cpu");
    static final long RUN_HYPERCALL_NR = off(KVM_RUN, "exit", "hypercall", "nr");
    static final long RUN_HYPERCALL_ARGS = off(KVM_RUN, "exit", "hypercall", "args");
    static final long RUN_HYPERCALL_RET = off(KVM_RUN, "exit", "hypercall", "ret");
    static final long RUN_MSR_ERROR = off(KVM_RUN, "exit", "msr", "error");
    static final long RUN_MSR_INDEX = off(KVM_RUN, "exit", "msr", "index");
    static final long RUN_MSR_DATA = off(KVM_RUN, "exit", "msr", "data");
    static final long RUN_SYSTEM_EVENT_TYPE = off(KVM_RUN, "exit", "system_event", "type");
    static final long RUN_SYSTEM_EVENT_NDATA = off(KVM_RUN, "exit", "system_event", "ndata");
    static final long RUN_SYSTEM_EVENT_DATA = off(KVM_RUN, "exit", "system_event", "data");

    // kvm_sregs / kvm_segment / kvm_dtable
    static final String[] SREG_SEGMENTS = {"cs", "ds", "es", "fs", "gs", "ss", "tr", "ldt"};
    static final long SEG_BASE = off(KVM_SEGMENT, "base");
    static final long SEG_LIMIT = off(KVM_SEGMENT, "limit");
    static final long SEG_SELECTOR = off(KVM_SEGMENT, "selector");
    static final long SEG_TYPE = off(KVM_SEGMENT, "type");
    static final long SEG_PRESENT = off(KVM_SEGMENT, "present");
    static final long SEG_DPL = off(KVM_SEGMENT, "dpl");
    static final long SEG_DB = off(KVM_SEGMENT, "db");
    static final long SEG_S = off(KVM_SEGMENT, "s");
    static final long SEG_L = off(KVM_SEGMENT, "l");
    static final long SEG_G = off(KVM_SEGMENT, "g");
    static final long SEG_AVL = off(KVM_SEGMENT, "avl");
    static final long SEG_UNUSABLE = off(KVM_SEGMENT, "unusable");
    static final long DT_BASE = off(KVM_DTABLE, "base");
    static final long DT_LIMIT = off(KVM_DTABLE, "limit");
    static final long SREGS_GDT = off(KVM_SREGS, "gdt");
    static final long SREGS_IDT = off(KVM_SREGS, "idt");
    static final long SREGS_CR0 = off(KVM_SREGS, "cr0");
    static final long SREGS_CR2 = off(KVM_SREGS, "cr2");
    static final long SREGS_CR3 = off(KVM_SREGS, "cr3");
    static final long SREGS_CR4 = off(KVM_SREGS, "cr4");
    static final long SREGS_CR8 = off(KVM_SREGS, "cr8");
    static final long SREGS_EFER = off(KVM_SREGS, "efer");
    static final long SREGS_APIC_BASE = off(KVM_SREGS, "apic_base");

    // kvm_fpu
    static final long FPU_FPR = off(KVM_FPU, "fpr");
    static final long FPU_FCW = off(KVM_FPU, "fcw");
    static final long FPU_FSW = off(KVM_FPU, "fsw");
    static final long FPU_FTWX = off(KVM_FPU, "ftwx");
    static final long FPU_LAST_OPCODE = off(KVM_FPU, "last_opcode");
    static final long FPU_LAST_IP = off(KVM_FPU, "last_ip");
    static final long FPU_LAST_DP = off(KVM_FPU, "last_dp");
    static final long FPU_XMM = off(KVM_FPU, "xmm");
    static final long FPU_MXCSR = off(KVM_FPU, "mxcsr");

    // kvm_cpuid_entry2
    static final long CPUID_FUNCTION = off(KVM_CPUID_ENTRY2, "function");
    static final long CPUID_INDEX = off(KVM_CPUID_ENTRY2, "index");
    static final long CPUID_FLAGS = off(KVM_CPUID_ENTRY2, "flags");
    static final long CPUID_EAX = off(KVM_CPUID_ENTRY2, "eax");
    static final long CPUID_EBX = off(KVM_CPUID_ENTRY2, "ebx");
    static final long CPUID_ECX = off(KVM_CPUID_ENTRY2, "ecx");
    static final long CPUID_EDX = off(KVM_CPUID_ENTRY2, "edx");

    // kvm_vcpu_events
    static final long EV_EXC_INJECTED = off(KVM_VCPU_EVENTS, "exception", "injected");
    static final long EV_EXC_NR = off(KVM_VCPU_EVENTS, "exception", "nr");
    static final long EV_EXC_HAS_ERROR_CODE = off(KVM_VCPU_EVENTS, "exception", "has_error_code");
    static final long EV_EXC_PENDING = off(KVM_VCPU_EVENTS, "exception", "pending");
    static final long EV_EXC_ERROR_CODE = off(KVM_VCPU_EVENTS, "exception", "error_code");
    static final long EV_INT_INJECTED = off(KVM_VCPU_EVENTS, "interrupt", "injected");
    static final long EV_INT_NR = off(KVM_VCPU_EVENTS, "interrupt", "nr");
    static final long EV_INT_SOFT = off(KVM_VCPU_EVENTS, "interrupt", "soft");
    static final long EV_INT_SHADOW = off(KVM_VCPU_EVENTS, "interrupt", "shadow");
    static final long EV_NMI_INJECTED = off(KVM_VCPU_EVENTS, "nmi", "injected");
    static final long EV_NMI_PENDING = off(KVM_VCPU_EVENTS, "nmi", "pending");
    static final long EV_NMI_MASKED = off(KVM_VCPU_EVENTS, "nmi", "masked");
    static final long EV_SIPI_VECTOR = off(KVM_VCPU_EVENTS, "sipi_vector");
    static final long EV_FLAGS = off(KVM_VCPU_EVENTS, "flags");
    static final long EV_TRIPLE_FAULT_PENDING = off(KVM_VCPU_EVENTS, "triple_fault", "pending");

    // kvm_debugregs
    static final long DEBUGREGS_DB = off(KVM_DEBUGREGS, "db");
    static final long DEBUGREGS_DR6 = off(KVM_DEBUGREGS, "dr6");
    static final long DEBUGREGS_DR7 = off(KVM_DEBUGREGS, "dr7");

    /** Throws if a layout size differs from the size the kernel encodes in the ioctl number. */
    static void check() {
        checkSize(KVM_REGS, KvmApi.KVM_GET_REGS);
        checkSize(KVM_SREGS, KvmApi.KVM_SET_SREGS);
        checkSize(KVM_FPU, KvmApi.KVM_GET_FPU);
        checkSize(KVM_MSRS, KvmApi.KVM_GET_MSRS);
        checkSize(KVM_CPUID2, KvmApi.KVM_SET_CPUID2);
        checkSize(KVM_USERSPACE_MEMORY_REGION, KvmApi.KVM_SET_USER_MEMORY_REGION);
        checkSize(KVM_GUEST_DEBUG, KvmApi.KVM_SET_GUEST_DEBUG);
        checkSize(KVM_VCPU_EVENTS, KvmApi.KVM_GET_VCPU_EVENTS);
        checkSize(KVM_DEBUGREGS, KvmApi.KVM_GET_DEBUGREGS);
        checkSize(KVM_DIRTY_LOG, KvmApi.KVM_GET_DIRTY_LOG);
        checkSize(KVM_INTERRUPT, KvmApi.KVM_INTERRUPT);
        checkSize(KVM_XCRS, KvmApi.KVM_GET_XCRS);
        if (KVM_MSR_ENTRY.byteSize() != 16 || KVM_CPUID_ENTRY2.byteSize() != 40 || KVM_SEGMENT.byteSize() != 24
                || KVM_DTABLE.byteSize() != 16 || RUN_EXIT_UNION.byteSize() != 256 || KVM_RUN.byteSize() != 288
                || RUN_IO_DATA_OFFSET != 40 || RUN_MMIO_DATA != 40 || RUN_DEBUG_PC != 40) {
            throw new IllegalStateException("KVM struct layout mismatch");
        }
    }

    private static void checkSize(MemoryLayout layout, long ioctl) {
        long size = (ioctl >>> 16) & 0x3FFF;
        if (layout.byteSize() != size) {
            throw new IllegalStateException(layout.name().orElse("?") + " is " + layout.byteSize()
                    + " bytes, ioctl " + KvmApi.ioctlName(ioctl) + " says " + size);
        }
    }
}
