package pcm.vmx.internal.kvm;

/**
 * KVM ioctl numbers, capability numbers, exit reasons and flags for x86-64, all in one place.
 * Each value is linked to its section of the KVM API document; the numbers were checked against
 * {@code <linux/kvm.h>} (the {@code _IO/_IOR/_IOW/_IOWR} encodings with the struct sizes of
 * {@link KvmLayouts}).
 *
 * @see <a href="https://docs.kernel.org/virt/kvm/api.html">The Definitive KVM API Documentation</a>
 */
final class KvmApi {

    private KvmApi() {}

    /** The only stable API version. */
    static final int API_VERSION = 12;

    // ---- system ioctls (on the /dev/kvm fd) ----
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-get-api-version">KVM_GET_API_VERSION</a> _IO(0xAE, 0x00) */
    static final long KVM_GET_API_VERSION = 0xAE00L;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-create-vm">KVM_CREATE_VM</a> _IO(0xAE, 0x01) */
    static final long KVM_CREATE_VM = 0xAE01L;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-get-msr-index-list-kvm-get-msr-feature-index-list">KVM_GET_MSR_INDEX_LIST</a> _IOWR(0xAE, 0x02, struct kvm_msr_list) */
    static final long KVM_GET_MSR_INDEX_LIST = 0xC004AE02L;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-check-extension">KVM_CHECK_EXTENSION</a> _IO(0xAE, 0x03) */
    static final long KVM_CHECK_EXTENSION = 0xAE03L;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-get-vcpu-mmap-size">KVM_GET_VCPU_MMAP_SIZE</a> _IO(0xAE, 0x04) */
    static final long KVM_GET_VCPU_MMAP_SIZE = 0xAE04L;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-get-supported-cpuid">KVM_GET_SUPPORTED_CPUID</a> _IOWR(0xAE, 0x05, struct kvm_cpuid2) */
    static final long KVM_GET_SUPPORTED_CPUID = 0xC008AE05L;

    // ---- VM ioctls ----
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-create-vcpu">KVM_CREATE_VCPU</a> _IO(0xAE, 0x41) */
    static final long KVM_CREATE_VCPU = 0xAE41L;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-get-dirty-log">KVM_GET_DIRTY_LOG</a> _IOW(0xAE, 0x42, struct kvm_dirty_log) */
    static final long KVM_GET_DIRTY_LOG = 0x4010AE42L;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-set-user-memory-region">KVM_SET_USER_MEMORY_REGION</a> _IOW(0xAE, 0x46, struct kvm_userspace_memory_region) */
    static final long KVM_SET_USER_MEMORY_REGION = 0x4020AE46L;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-set-tss-addr">KVM_SET_TSS_ADDR</a> _IO(0xAE, 0x47) */
    static final long KVM_SET_TSS_ADDR = 0xAE47L;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-set-identity-map-addr">KVM_SET_IDENTITY_MAP_ADDR</a> _IOW(0xAE, 0x48, __u64) */
    static final long KVM_SET_IDENTITY_MAP_ADDR = 0x4008AE48L;

    // ---- vCPU ioctls ----
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-run">KVM_RUN</a> _IO(0xAE, 0x80) */
    static final long KVM_RUN = 0xAE80L;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-get-regs">KVM_GET_REGS</a> _IOR(0xAE, 0x81, struct kvm_regs) */
    static final long KVM_GET_REGS = 0x8090AE81L;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-set-regs">KVM_SET_REGS</a> _IOW(0xAE, 0x82, struct kvm_regs) */
    static final long KVM_SET_REGS = 0x4090AE82L;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-get-sregs">KVM_GET_SREGS</a> _IOR(0xAE, 0x83, struct kvm_sregs) */
    static final long KVM_GET_SREGS = 0x8138AE83L;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-set-sregs">KVM_SET_SREGS</a> _IOW(0xAE, 0x84, struct kvm_sregs) */
    static final long KVM_SET_SREGS = 0x4138AE84L;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-interrupt">KVM_INTERRUPT</a> _IOW(0xAE, 0x86, struct kvm_interrupt) */
    static final long KVM_INTERRUPT = 0x4004AE86L;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-get-msrs">KVM_GET_MSRS</a> _IOWR(0xAE, 0x88, struct kvm_msrs) */
    static final long KVM_GET_MSRS = 0xC008AE88L;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-set-msrs">KVM_SET_MSRS</a> _IOW(0xAE, 0x89, struct kvm_msrs) */
    static final long KVM_SET_MSRS = 0x4008AE89L;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-set-signal-mask">KVM_SET_SIGNAL_MASK</a> _IOW(0xAE, 0x8b, struct kvm_signal_mask) */
    static final long KVM_SET_SIGNAL_MASK = 0x4004AE8BL;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-get-fpu">KVM_GET_FPU</a> _IOR(0xAE, 0x8c, struct kvm_fpu) */
    static final long KVM_GET_FPU = 0x81A0AE8CL;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-set-fpu">KVM_SET_FPU</a> _IOW(0xAE, 0x8d, struct kvm_fpu) */
    static final long KVM_SET_FPU = 0x41A0AE8DL;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-set-cpuid2">KVM_SET_CPUID2</a> _IOW(0xAE, 0x90, struct kvm_cpuid2) */
    static final long KVM_SET_CPUID2 = 0x4008AE90L;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-get-cpuid2">KVM_GET_CPUID2</a> _IOWR(0xAE, 0x91, struct kvm_cpuid2) */
    static final long KVM_GET_CPUID2 = 0xC008AE91L;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-set-guest-debug">KVM_SET_GUEST_DEBUG</a> _IOW(0xAE, 0x9b, struct kvm_guest_debug) */
    static final long KVM_SET_GUEST_DEBUG = 0x4048AE9BL;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-get-vcpu-events">KVM_GET_VCPU_EVENTS</a> _IOR(0xAE, 0x9f, struct kvm_vcpu_events) */
    static final long KVM_GET_VCPU_EVENTS = 0x8040AE9FL;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-set-vcpu-events">KVM_SET_VCPU_EVENTS</a> _IOW(0xAE, 0xa0, struct kvm_vcpu_events) */
    static final long KVM_SET_VCPU_EVENTS = 0x4040AEA0L;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-get-debugregs">KVM_GET_DEBUGREGS</a> _IOR(0xAE, 0xa1, struct kvm_debugregs) */
    static final long KVM_GET_DEBUGREGS = 0x8080AEA1L;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-set-debugregs">KVM_SET_DEBUGREGS</a> _IOW(0xAE, 0xa2, struct kvm_debugregs) */
    static final long KVM_SET_DEBUGREGS = 0x4080AEA2L;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-get-xsave">KVM_GET_XSAVE</a> _IOR(0xAE, 0xa4, struct kvm_xsave) */
    static final long KVM_GET_XSAVE = 0x9000AEA4L;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-set-xsave">KVM_SET_XSAVE</a> _IOW(0xAE, 0xa5, struct kvm_xsave) */
    static final long KVM_SET_XSAVE = 0x5000AEA5L;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-get-xcrs">KVM_GET_XCRS</a> _IOR(0xAE, 0xa6, struct kvm_xcrs) */
    static final long KVM_GET_XCRS = 0x8188AEA6L;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-set-xcrs">KVM_SET_XCRS</a> _IOW(0xAE, 0xa7, struct kvm_xcrs) */
    static final long KVM_SET_XCRS = 0x4188AEA7L;

    /** Name of an ioctl number, for messages. */
    static String ioctlName(long request) {
        if (request == KVM_GET_API_VERSION) return "KVM_GET_API_VERSION";
        if (request == KVM_CREATE_VM) return "KVM_CREATE_VM";
        if (request == KVM_GET_MSR_INDEX_LIST) return "KVM_GET_MSR_INDEX_LIST";
        if (request == KVM_CHECK_EXTENSION) return "KVM_CHECK_EXTENSION";
        if (request == KVM_GET_VCPU_MMAP_SIZE) return "KVM_GET_VCPU_MMAP_SIZE";
        if (request == KVM_GET_SUPPORTED_CPUID) return "KVM_GET_SUPPORTED_CPUID";
        if (request == KVM_CREATE_VCPU) return "KVM_CREATE_VCPU";
        if (request == KVM_GET_DIRTY_LOG) return "KVM_GET_DIRTY_LOG";
        if (request == KVM_SET_USER_MEMORY_REGION) return "KVM_SET_USER_MEMORY_REGION";
        if (request == KVM_SET_TSS_ADDR) return "KVM_SET_TSS_ADDR";
        if (request == KVM_SET_IDENTITY_MAP_ADDR) return "KVM_SET_IDENTITY_MAP_ADDR";
        if (request == KVM_RUN) return "KVM_RUN";
        if (request == KVM_GET_REGS) return "KVM_GET_REGS";
        if (request == KVM_SET_REGS) return "KVM_SET_REGS";
        if (request == KVM_GET_SREGS) return "KVM_GET_SREGS";
        if (request == KVM_SET_SREGS) return "KVM_SET_SREGS";
        if (request == KVM_INTERRUPT) return "KVM_INTERRUPT";
        if (request == KVM_GET_MSRS) return "KVM_GET_MSRS";
        if (request == KVM_SET_MSRS) return "KVM_SET_MSRS";
        if (request == KVM_SET_SIGNAL_MASK) return "KVM_SET_SIGNAL_MASK";
        if (request == KVM_GET_FPU) return "KVM_GET_FPU";
        if (request == KVM_SET_FPU) return "KVM_SET_FPU";
        if (request == KVM_SET_CPUID2) return "KVM_SET_CPUID2";
        if (request == KVM_GET_CPUID2) return "KVM_GET_CPUID2";
        if (request == KVM_SET_GUEST_DEBUG) return "KVM_SET_GUEST_DEBUG";
        if (request == KVM_GET_VCPU_EVENTS) return "KVM_GET_VCPU_EVENTS";
        if (request == KVM_SET_VCPU_EVENTS) return "KVM_SET_VCPU_EVENTS";
        if (request == KVM_GET_DEBUGREGS) return "KVM_GET_DEBUGREGS";
        if (request == KVM_SET_DEBUGREGS) return "KVM_SET_DEBUGREGS";
        if (request == KVM_GET_XSAVE) return "KVM_GET_XSAVE";
        if (request == KVM_SET_XSAVE) return "KVM_SET_XSAVE";
        if (request == KVM_GET_XCRS) return "KVM_GET_XCRS";
        if (request == KVM_SET_XCRS) return "KVM_SET_XCRS";
        return "ioctl 0x" + Long.toHexString(request);
    }

    // ---- capabilities (KVM_CHECK_EXTENSION), https://docs.kernel.org/virt/kvm/api.html#the-kvm-check-extension-ioctl ----
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-set-user-memory-region">KVM_CAP_USER_MEMORY</a> */
    static final int KVM_CAP_USER_MEMORY = 3;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-set-tss-addr">KVM_CAP_SET_TSS_ADDR</a> */
    static final int KVM_CAP_SET_TSS_ADDR = 4;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-get-supported-cpuid">KVM_CAP_EXT_CPUID</a> */
    static final int KVM_CAP_EXT_CPUID = 7;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-create-vcpu">KVM_CAP_NR_VCPUS</a> */
    static final int KVM_CAP_NR_VCPUS = 9;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-set-user-memory-region">KVM_CAP_NR_MEMSLOTS</a> */
    static final int KVM_CAP_NR_MEMSLOTS = 10;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-set-guest-debug">KVM_CAP_SET_GUEST_DEBUG</a> */
    static final int KVM_CAP_SET_GUEST_DEBUG = 23;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-get-vcpu-events">KVM_CAP_VCPU_EVENTS</a> */
    static final int KVM_CAP_VCPU_EVENTS = 41;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-get-xsave">KVM_CAP_XSAVE</a> */
    static final int KVM_CAP_XSAVE = 55;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-get-xcrs">KVM_CAP_XCRS</a> */
    static final int KVM_CAP_XCRS = 56;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-create-vcpu">KVM_CAP_MAX_VCPUS</a> */
    static final int KVM_CAP_MAX_VCPUS = 66;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-run">KVM_CAP_IMMEDIATE_EXIT</a> (kvm_run.immediate_exit) */
    static final int KVM_CAP_IMMEDIATE_EXIT = 136;

    // ---- exit reasons (kvm_run.exit_reason), https://docs.kernel.org/virt/kvm/api.html#the-kvm-run-structure ----
    static final int KVM_EXIT_UNKNOWN = 0;
    static final int KVM_EXIT_EXCEPTION = 1;
    static final int KVM_EXIT_IO = 2;
    static final int KVM_EXIT_HYPERCALL = 3;
    static final int KVM_EXIT_DEBUG = 4;
    static final int KVM_EXIT_HLT = 5;
    static final int KVM_EXIT_MMIO = 6;
    static final int KVM_EXIT_IRQ_WINDOW_OPEN = 7;
    static final int KVM_EXIT_SHUTDOWN = 8;
    static final int KVM_EXIT_FAIL_ENTRY = 9;
    static final int KVM_EXIT_INTR = 10;
    static final int KVM_EXIT_NMI = 16;
    static final int KVM_EXIT_INTERNAL_ERROR = 17;
    static final int KVM_EXIT_SYSTEM_EVENT = 24;
    static final int KVM_EXIT_X86_RDMSR = 29;
    static final int KVM_EXIT_X86_WRMSR = 30;

    static final int KVM_EXIT_IO_IN = 0;
    static final int KVM_EXIT_IO_OUT = 1;

    /** kvm_run.internal.suberror values. */
    static final int KVM_INTERNAL_ERROR_EMULATION = 1;
    static final int KVM_INTERNAL_ERROR_SIMUL_EX = 2;
    static final int KVM_INTERNAL_ERROR_DELIVERY_EV = 3;
    static final int KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON = 4;
    /** internal.data[0] holds flags; bit 0: instruction bytes follow (data[1] = length, data[2..] = bytes). */
    static final int KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES = 1;

    /** kvm_run.system_event.type */
    static final int KVM_SYSTEM_EVENT_SHUTDOWN = 1;
    static final int KVM_SYSTEM_EVENT_RESET = 2;
    static final int KVM_SYSTEM_EVENT_CRASH = 3;

    // ---- flags ----
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-set-user-memory-region">KVM_MEM_LOG_DIRTY_PAGES</a> */
    static final int KVM_MEM_LOG_DIRTY_PAGES = 1;
    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-set-guest-debug">KVM_GUESTDBG_ENABLE</a> */
    static final int KVM_GUESTDBG_ENABLE = 0x1;
    static final int KVM_GUESTDBG_SINGLESTEP = 0x2;
    static final int KVM_GUESTDBG_USE_SW_BP = 0x00010000;
    static final int KVM_GUESTDBG_USE_HW_BP = 0x00020000;

    /** <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-get-supported-cpuid">kvm_cpuid_entry2.flags</a>: index is significant. */
    static final int KVM_CPUID_FLAG_SIGNIFCANT_INDEX = 1;

    /** kvm_vcpu_events.flags, <a href="https://docs.kernel.org/virt/kvm/api.html#kvm-set-vcpu-events">KVM_SET_VCPU_EVENTS</a> */
    static final int KVM_VCPUEVENT_VALID_NMI_PENDING = 0x1;
    static final int KVM_VCPUEVENT_VALID_SIPI_VECTOR = 0x2;
    static final int KVM_VCPUEVENT_VALID_SHADOW = 0x4;
    static final int KVM_VCPUEVENT_VALID_SMM = 0x8;
}
