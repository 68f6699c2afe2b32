package pcm.vmx.internal.kvm;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.core.api.cpu.BackendException;
import pcm.core.api.cpu.CpuidMask;
import pcm.core.api.cpu.VirtualMachine;

/** A KVM VM: the VM fd, its memory slots and vCPUs. */
public final class KvmVm implements VirtualMachine {

    private static final Logger LOG = LoggerFactory.getLogger(KvmVm.class);
    /** Where KVM_SET_TSS_ADDR puts its 3 pages (QEMU's choice, just below the BIOS). */
    static final long TSS_ADDR = 0xFFFB_D000L;

    private record Slot(long gpa, long size, int flags, MemorySegment host) {}

    private final KvmSystem system;
    private final int fd;
    private final Map<Integer, Slot> slots = new ConcurrentHashMap<>();
    private final List<KvmVcpu> vcpus = new ArrayList<>();
    private volatile boolean closed;

    KvmVm(KvmSystem system) throws BackendException {
        this.system = system;
        this.fd = system.createVmFd();
        int r = Libc.ioctl(fd, KvmApi.KVM_SET_TSS_ADDR, TSS_ADDR);
        if (r < 0) {
            LOG.debug("KVM_SET_TSS_ADDR: {} (only needed for real mode on Intel)", Errno.describe(-r));
        }
    }

    KvmSystem system() {
        return system;
    }

    /** The VM fd (for diagnostics and further ioctls). */
    public int fd() {
        return fd;
    }

    @Override
    public void setMemoryRegion(int slot, long gpa, MemorySegment host, boolean logDirty) throws BackendException {
        int flags = logDirty ? KvmApi.KVM_MEM_LOG_DIRTY_PAGES : 0;
        try (Arena a = Arena.ofConfined()) {
            MemorySegment region = a.allocate(KvmLayouts.KVM_USERSPACE_MEMORY_REGION);
            region.set(JAVA_INT, 0, slot);
            region.set(JAVA_INT, 4, flags);
            region.set(JAVA_LONG, 8, gpa);
            region.set(JAVA_LONG, 16, host.byteSize());
            region.set(JAVA_LONG, 24, host.address());
            int r = Libc.ioctl(fd, KvmApi.KVM_SET_USER_MEMORY_REGION, region);
            if (r < 0) {
                throw Errno.fail("KVM_SET_USER_MEMORY_REGION", -r, String.format(
                        "slot %d, gpa 0x%x, size 0x%x, host 0x%x%s", slot, gpa, host.byteSize(), host.address(),
                        logDirty ? ", log dirty" : ""));
            }
        }
        if (host.byteSize() == 0) {
            slots.remove(slot);
        } else {
            slots.put(slot, new Slot(gpa, host.byteSize(), flags, host));
        }
    }

    /** Removes a memory slot (KVM_SET_USER_MEMORY_REGION with size 0). */
    public void removeMemoryRegion(int slot) throws BackendException {
        Slot s = slots.get(slot);
        if (s != null) {
            setMemoryRegion(slot, s.gpa(), MemorySegment.NULL, false);
        }
    }

    @Override
    public KvmVcpu createVcpu(int id) throws BackendException {
        int r = Libc.ioctl(fd, KvmApi.KVM_CREATE_VCPU, id);
        if (r < 0) {
            throw Errno.fail("KVM_CREATE_VCPU", -r, "vCPU id " + id);
        }
        KvmVcpu vcpu = new KvmVcpu(this, id, r, system.vcpuMmapSize());
        synchronized (vcpus) {
            vcpus.add(vcpu);
        }
        // Without KVM_SET_CPUID2, CPL0 CPUID returns zeros (PVM): start from the supported table.
        vcpu.setCpuid(CpuidMask.NONE);
        return vcpu;
    }

    void forget(KvmVcpu vcpu) {
        synchronized (vcpus) {
            vcpus.remove(vcpu);
        }
    }

    @Override
    public long[] dirtyLog(int slot) throws BackendException {
        Slot s = slots.get(slot);
        if (s == null) {
            throw new BackendException("KVM_GET_DIRTY_LOG: no memory slot " + slot);
        }
        if ((s.flags() & KvmApi.KVM_MEM_LOG_DIRTY_PAGES) == 0) {
            throw new BackendException("KVM_GET_DIRTY_LOG: slot " + slot + " was not mapped with logDirty");
        }
        long pages = (s.size() + 4095) / 4096;
        int words = (int) ((pages + 63) / 64);
        try (Arena a = Arena.ofConfined()) {
            MemorySegment bitmap = a.allocate(8L * words, 8);
            MemorySegment log = a.allocate(KvmLayouts.KVM_DIRTY_LOG);
            log.set(JAVA_INT, 0, slot);
            log.set(JAVA_LONG, 8, bitmap.address());
            int r = Libc.ioctl(fd, KvmApi.KVM_GET_DIRTY_LOG, log);
            if (r < 0) {
                throw Errno.fail("KVM_GET_DIRTY_LOG", -r, "slot " + slot);
            }
            return bitmap.toArray(JAVA_LONG);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        List<KvmVcpu> copy;
        synchronized (vcpus) {
            copy = new ArrayList<>(vcpus);
        }
        for (KvmVcpu v : copy) {
            v.close();
        }
        Libc.close(fd);
    }
}
