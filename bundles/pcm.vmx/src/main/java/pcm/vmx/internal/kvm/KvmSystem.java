package pcm.vmx.internal.kvm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import pcm.core.api.cpu.BackendException;
import pcm.core.api.cpu.HostInfo;

/**
 * The open {@code /dev/kvm}: API version, capabilities (checked once here), the supported CPUID
 * table, the vCPU mmap size and the kind of host (PVM or hardware). One per {@link KvmHypervisor}.
 */
public final class KvmSystem implements AutoCloseable {

    /** Thrown by {@link #open} when KVM cannot be used; the message is the one-line cause for operators. */
    public static final class Unavailable extends Exception {
        private static final long serialVersionUID = 1L;

        Unavailable(String message) {
            super(message);
        }
    }

    private final Path device;
    private final int fd;
    private final int apiVersion;
    private final int vcpuMmapSize;
    private final List<CpuidEntry> supportedCpuid;
    private final HostInfo.Kind kind;
    private final String kindDetail;
    /** kvm_amd provides /dev/kvm (see {@link #svm()}). */
    private final boolean svm;
    private final int maxVcpus;
    private final int memslots;
    private final boolean guestDebug;
    private final boolean vcpuEvents;
    private final boolean xsave;
    private final boolean xcrs;

    private KvmSystem(Path device, int fd, Path sysModule) throws Unavailable {
        this.device = device;
        this.fd = fd;
        int v = Libc.ioctl(fd, KvmApi.KVM_GET_API_VERSION, 0L);
        if (v < 0) {
            throw new Unavailable(device + " is not a KVM device: KVM_GET_API_VERSION failed: " + Errno.describe(-v));
        }
        if (v != KvmApi.API_VERSION) {
            throw new Unavailable("KVM API version " + v + " at " + device + " is not supported (need " + KvmApi.API_VERSION + ")");
        }
        this.apiVersion = v;
        List<String> missing = new ArrayList<>();
        if (cap(KvmApi.KVM_CAP_USER_MEMORY) <= 0) missing.add("KVM_CAP_USER_MEMORY");
        if (cap(KvmApi.KVM_CAP_EXT_CPUID) <= 0) missing.add("KVM_CAP_EXT_CPUID");
        if (cap(KvmApi.KVM_CAP_IMMEDIATE_EXIT) <= 0) missing.add("KVM_CAP_IMMEDIATE_EXIT");
        if (!missing.isEmpty()) {
            throw new Unavailable("KVM at " + device + " lacks required capabilities: " + String.join(", ", missing));
        }
        this.guestDebug = cap(KvmApi.KVM_CAP_SET_GUEST_DEBUG) > 0;
        this.vcpuEvents = cap(KvmApi.KVM_CAP_VCPU_EVENTS) > 0;
        this.xsave = cap(KvmApi.KVM_CAP_XSAVE) > 0;
        this.xcrs = cap(KvmApi.KVM_CAP_XCRS) > 0;
        int mv = cap(KvmApi.KVM_CAP_MAX_VCPUS);
        this.maxVcpus = mv > 0 ? mv : Math.max(cap(KvmApi.KVM_CAP_NR_VCPUS), 4);
        int ms = cap(KvmApi.KVM_CAP_NR_MEMSLOTS);
        this.memslots = ms > 0 ? ms : 32;
        int size = Libc.ioctl(fd, KvmApi.KVM_GET_VCPU_MMAP_SIZE, 0L);
        if (size <= 0) {
            throw new Unavailable("KVM_GET_VCPU_MMAP_SIZE failed: " + Errno.describe(-size));
        }
        this.vcpuMmapSize = size;
        try {
            this.supportedCpuid = readSupportedCpuid();
        } catch (BackendException e) {
            throw new Unavailable(e.getMessage());
        }
        // Host kind: the module that provides /dev/kvm, not the CPUID hypervisor bit (a PVM host is itself a VM).
        if (Files.isDirectory(sysModule.resolve("kvm_pvm"))) {
            this.kind = HostInfo.Kind.PVM;
            this.svm = false;
            String nat = param(sysModule, "kvm_pvm", "pvm_native");
            this.kindDetail = "PVM (kvm_pvm: software nested virtualization, CPL3 native, CPL0 emulated"
                    + (nat != null ? ", pvm_native=" + nat : "") + ")";
        } else if (Files.isDirectory(sysModule.resolve("kvm_intel"))) {
            this.kind = HostInfo.Kind.HARDWARE;
            this.kindDetail = "hardware virtualization (kvm_intel: Intel VMX)";
            this.svm = false;
        } else if (Files.isDirectory(sysModule.resolve("kvm_amd"))) {
            this.kind = HostInfo.Kind.HARDWARE;
            this.kindDetail = "hardware virtualization (kvm_amd: AMD SVM)";
            this.svm = true;
        } else {
            this.kind = HostInfo.Kind.HARDWARE;
            this.kindDetail = "unknown KVM vendor module (none of kvm_pvm, kvm_intel, kvm_amd in " + sysModule
                    + "); assuming hardware virtualization";
            this.svm = false;
        }
    }

    private static String param(Path sysModule, String module, String name) {
        try {
            return Files.readString(sysModule.resolve(module).resolve("parameters").resolve(name)).trim();
        } catch (Exception e) {
            return null;
        }
    }

    /** Opens the device and checks it; {@link Unavailable} carries the one clear cause. */
    public static KvmSystem open(Path device, Path sysModule) throws Unavailable {
        KvmLayouts.check();
        int fd = Libc.open(device.toString(), Libc.O_RDWR | Libc.O_CLOEXEC);
        if (fd < 0) {
            int e = -fd;
            String user = System.getProperty("user.name");
            throw new Unavailable(switch (e) {
                case Errno.ENOENT -> device + " does not exist: KVM is not available on this host (no kvm module"
                        + " loaded, virtualization disabled in firmware, or a VM without nested virtualization)";
                case Errno.EACCES, Errno.EPERM -> device + " is not accessible to user '" + user + "': permission"
                        + " denied (" + Errno.name(e) + "); add the user to the group owning " + device
                        + " (usually 'kvm') or fix its permissions";
                case Errno.ENXIO, Errno.ENODEV -> device + " exists but no KVM driver is behind it ("
                        + Errno.describe(e) + "): load kvm_intel/kvm_amd or enable virtualization in firmware";
                default -> "cannot open " + device + ": " + Errno.describe(e);
            });
        }
        try {
            return new KvmSystem(device, fd, sysModule);
        } catch (Unavailable | RuntimeException e) {
            Libc.close(fd);
            throw e;
        }
    }

    int cap(int capability) {
        return Libc.ioctl(fd, KvmApi.KVM_CHECK_EXTENSION, capability);
    }

    private List<CpuidEntry> readSupportedCpuid() throws BackendException {
        for (int n = 128; ; n *= 2) {
            try (Arena a = Arena.ofConfined()) {
                MemorySegment buf = a.allocate(KvmLayouts.KVM_CPUID2.byteSize() + n * KvmLayouts.KVM_CPUID_ENTRY2.byteSize(), 8);
                buf.set(ValueLayout.JAVA_INT, 0, n);
                int r = Libc.ioctl(fd, KvmApi.KVM_GET_SUPPORTED_CPUID, buf);
                if (r == -Errno.E2BIG && n < 4096) {
                    continue;
                }
                if (r < 0) {
                    throw Errno.fail("KVM_GET_SUPPORTED_CPUID", -r);
                }
                return List.copyOf(readCpuidEntries(buf));
            }
        }
    }

    static List<CpuidEntry> readCpuidEntries(MemorySegment cpuid2) {
        int nent = cpuid2.get(ValueLayout.JAVA_INT, 0);
        List<CpuidEntry> list = new ArrayList<>(nent);
        long base = KvmLayouts.KVM_CPUID2.byteSize();
        long es = KvmLayouts.KVM_CPUID_ENTRY2.byteSize();
        for (int i = 0; i < nent; i++) {
            MemorySegment e = cpuid2.asSlice(base + i * es, es);
            list.add(new CpuidEntry(e.get(ValueLayout.JAVA_INT, KvmLayouts.CPUID_FUNCTION),
                    e.get(ValueLayout.JAVA_INT, KvmLayouts.CPUID_INDEX), e.get(ValueLayout.JAVA_INT, KvmLayouts.CPUID_FLAGS),
                    e.get(ValueLayout.JAVA_INT, KvmLayouts.CPUID_EAX), e.get(ValueLayout.JAVA_INT, KvmLayouts.CPUID_EBX),
                    e.get(ValueLayout.JAVA_INT, KvmLayouts.CPUID_ECX), e.get(ValueLayout.JAVA_INT, KvmLayouts.CPUID_EDX)));
        }
        return list;
    }

    static MemorySegment writeCpuidEntries(Arena a, List<CpuidEntry> entries) {
        long es = KvmLayouts.KVM_CPUID_ENTRY2.byteSize();
        long base = KvmLayouts.KVM_CPUID2.byteSize();
        MemorySegment buf = a.allocate(base + entries.size() * es, 8);
        buf.set(ValueLayout.JAVA_INT, 0, entries.size());
        for (int i = 0; i < entries.size(); i++) {
            CpuidEntry c = entries.get(i);
            MemorySegment e = buf.asSlice(base + i * es, es);
            e.set(ValueLayout.JAVA_INT, KvmLayouts.CPUID_FUNCTION, c.function());
            e.set(ValueLayout.JAVA_INT, KvmLayouts.CPUID_INDEX, c.index());
            e.set(ValueLayout.JAVA_INT, KvmLayouts.CPUID_FLAGS, c.flags());
            e.set(ValueLayout.JAVA_INT, KvmLayouts.CPUID_EAX, c.eax());
            e.set(ValueLayout.JAVA_INT, KvmLayouts.CPUID_EBX, c.ebx());
            e.set(ValueLayout.JAVA_INT, KvmLayouts.CPUID_ECX, c.ecx());
            e.set(ValueLayout.JAVA_INT, KvmLayouts.CPUID_EDX, c.edx());
        }
        return buf;
    }

    /** KVM_CREATE_VM; returns the VM fd. */
    int createVmFd() throws BackendException {
        int r = Libc.ioctl(fd, KvmApi.KVM_CREATE_VM, 0L);
        if (r < 0) {
            throw Errno.fail("KVM_CREATE_VM", -r);
        }
        return r;
    }

    public Path device() { return device; }

    public int apiVersion() { return apiVersion; }

    public int vcpuMmapSize() { return vcpuMmapSize; }

    public List<CpuidEntry> supportedCpuid() { return supportedCpuid; }

    public HostInfo.Kind kind() { return kind; }

    /** AMD SVM (kvm_amd): see {@code KvmVcpu.setSpecialRegisters} for what differs. */
    public boolean svm() { return svm; }

    public int maxVcpus() { return maxVcpus; }

    public int memslots() { return memslots; }

    public boolean hasGuestDebug() { return guestDebug; }

    public boolean hasVcpuEvents() { return vcpuEvents; }

    public boolean hasXsave() { return xsave; }

    public boolean hasXcrs() { return xcrs; }

    /** One line for operators. */
    public String description() {
        return "KVM API " + apiVersion + " on " + kindDetail + " via " + device + "; max " + maxVcpus + " vCPUs, "
                + memslots + " memory slots, " + supportedCpuid.size() + " supported CPUID leaves"
                + (guestDebug ? ", guest debug" : ", NO guest debug") + (vcpuEvents ? ", vCPU events" : "")
                + (xsave ? ", XSAVE" : "");
    }

    @Override
    public void close() {
        Libc.close(fd);
    }
}
