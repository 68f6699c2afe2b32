package pcm.softcpu.internal;

import java.lang.foreign.MemorySegment;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import pcm.core.api.cpu.BackendException;
import pcm.core.api.cpu.VirtualCpu;
import pcm.core.api.cpu.VirtualMachine;

/** A soft VM: guest-physical RAM slots and interpreter vCPUs. */
final class SoftVm implements VirtualMachine {

    private final PhysicalMemory memory = new PhysicalMemory();
    private final Map<Integer, SoftVcpu> vcpus = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private final Set<Integer> forwardedMsrs;

    SoftVm() {
        this(ModelSpecificRegisters.DEFAULT_FORWARDED_MSRS);
    }

    /**
     * Whether new vCPUs run with the block compiler (docs/block-compiler.md): the system property
     * {@code pcm.softcpu.jit} where set, else the backend's {@code block_compiler} configuration (default on).
     */
    private final boolean blockCompiler;

    /** {@code forwardedMsrs}: see {@link SoftVcpu#setForwardedMsrs}. */
    SoftVm(Set<Integer> forwardedMsrs) {
        this(forwardedMsrs, BlockCompiler.DEFAULT_ON);
    }

    SoftVm(Set<Integer> forwardedMsrs, boolean blockCompiler) {
        this.blockCompiler = blockCompiler;
        this.forwardedMsrs = Set.copyOf(forwardedMsrs);
    }

    @Override
    public void setMemoryRegion(int slot, long gpa, MemorySegment host, boolean logDirty) throws BackendException {
        check();
        if ((gpa & 0xFFF) != 0) throw new BackendException("slot " + slot + ": gpa 0x" + Long.toHexString(gpa) + " not page aligned");
        if (host != null && (host.byteSize() & 0xFFF) != 0) throw new BackendException("slot " + slot + ": size not a multiple of 4 KiB");
        try {
            memory.setRegion(slot, gpa, host, logDirty);
        } catch (IllegalArgumentException e) {
            throw new BackendException(e.getMessage());
        }
    }

    @Override
    public VirtualCpu createVcpu(int id) throws BackendException {
        check();
        SoftVcpu[] self = new SoftVcpu[1];
        SoftVcpu v = new SoftVcpu(id, memory, () -> {
            vcpus.remove(id);
            report(self[0]);
        });
        self[0] = v;
        v.setForwardedMsrs(forwardedMsrs);
        v.setBlockCompiler(blockCompiler);
        if (vcpus.putIfAbsent(id, v) != null) throw new BackendException("vCPU " + id + " exists");
        return v;
    }

    /**
     * One line per guest vCPU into the log when it closes: whether the block compiler ran and what it did, so an
     * operator (and the integration tests' logs) can see translations happened without a JVM option.
     */
    private static void report(SoftVcpu v) {
        pcm.softcpu.internal.jit.JitStats s = v.blockCompilerStats();
        long n = v.instructionCount();
        if (s == null) {
            LOG.info("soft vCPU {}: {} instructions, block compiler off", v.id(), n);
        } else {
            LOG.info("soft vCPU {}: {} instructions, {} in translated blocks ({}%); {} blocks translated in {} ms",
                    v.id(), n, s.instructions, n == 0 ? 0 : s.instructions * 100 / n, s.compiled, s.compileNanos / 1_000_000);
            LOG.debug("soft vCPU {} block compiler: {}", v.id(), s);
        }
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SoftVm.class);

    @Override
    public long[] dirtyLog(int slot) throws BackendException {
        check();
        try {
            return memory.harvestDirty(slot);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new BackendException(e.getMessage());
        }
    }

    PhysicalMemory memory() { return memory; }

    private void check() throws BackendException {
        if (closed) throw new BackendException("VM is closed");
    }

    @Override
    public void close() {
        if (closed) return;
        closed = true;
        for (SoftVcpu v : vcpus.values().toArray(SoftVcpu[]::new)) v.close();
    }
}
