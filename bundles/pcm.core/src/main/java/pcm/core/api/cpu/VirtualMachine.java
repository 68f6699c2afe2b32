package pcm.core.api.cpu;

import java.lang.foreign.MemorySegment;

import org.osgi.annotation.versioning.ConsumerType;

/** A VM of one backend: memory slots and vCPUs. Closing it closes its vCPUs. */
@ConsumerType
public interface VirtualMachine extends AutoCloseable {

    /**
     * Maps host memory as guest RAM. {@code host} must stay valid until the VM is closed and be
     * page aligned.
     */
    void setMemoryRegion(int slot, long gpa, MemorySegment host, boolean logDirty) throws BackendException;

    VirtualCpu createVcpu(int id) throws BackendException;

    /**
     * Pages of a slot written since the previous call (one bit per 4 KiB page, bit i of word i/64),
     * then cleared. Only for slots mapped with {@code logDirty}.
     */
    long[] dirtyLog(int slot) throws BackendException;

    @Override
    void close();
}
