package pcm.vmx.internal.replay;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.core.api.cpu.BackendException;
import pcm.vmx.internal.kvm.KvmHypervisor;
import pcm.vmx.internal.kvm.KvmVcpu;
import pcm.vmx.internal.kvm.KvmVm;
import pcm.vmx.internal.kvm.VcpuEvents;

/**
 * The KVM RCP's replay machines (a VM with one vCPU and its RAM), kept between replays instead of created and
 * destroyed for every window.
 *
 * <p>Why: creating a VM, mapping and zeroing guest-sized RAM (a gigabyte for Linux) and creating a vCPU for each window
 * is most of a short replay's cost on hardware; and on the emulated SVM host (QEMU TCG's nested SVM) destroying a
 * replay VM while the recording guest ran killed that guest within seconds — a #PF on an instruction fetch at an
 * address it never maps, its #DF unable to run even on a stack of its own, then a triple fault: 4 of 4 runs with kvm
 * replays died after 8–91 windows, none of 2 without windows (300 s) or with soft replays only (40 windows), and none
 * of the runs whose replay VMs were kept (82 windows in 300 s; docs/svm-host.md, "The triple fault between windows").
 *
 * <p>A machine taken again is put back to the state of a new one before a replay sets its snapshot: a pending
 * I/O completion flushed, the decoder's string-I/O units dropped, XSAVE (so the vector registers beyond the FXSAVE
 * image), debug registers and vCPU events (no exception, interrupt or NMI pending) as they were at creation; RAM is
 * rewritten whole by the replay. MSRs outside the snapshot's set keep what the last replayed guest wrote: the replay
 * feeds RDMSR from the log, and the MSRs with architectural effect are in the snapshot set.
 */
final class ReplayMachines implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ReplayMachines.class);
    /** Idle machines kept: one per verification running at the same time is enough; more are destroyed. */
    private static final int MAX_IDLE = 2;

    /** One replay VM; {@link #ram} is its only memory slot, at GPA 0. */
    static final class Machine {
        final KvmVm vm;
        final KvmVcpu cpu;
        final MemorySegment ram;
        private final Arena arena;
        private final byte[] freshXsave;
        private final long[] freshDebug;
        private final VcpuEvents freshEvents;
        private boolean reused;

        private Machine(KvmVm vm, KvmVcpu cpu, MemorySegment ram, Arena arena) throws BackendException {
            this.vm = vm;
            this.cpu = cpu;
            this.ram = ram;
            this.arena = arena;
            byte[] x;
            try {
                x = cpu.xsave();
            } catch (BackendException | RuntimeException e) {
                x = null; // a host without KVM_GET_XSAVE: the FXSAVE image of the snapshot is all there is
            }
            this.freshXsave = x;
            this.freshDebug = cpu.debugRegs();
            this.freshEvents = cpu.vcpuEvents();
        }

        /** Whether this machine ran a replay before (diagnostics). */
        boolean reused() { return reused; }

        private void resetToNew() throws BackendException {
            cpu.refreshRunState(); // completes an I/O the last replay left unanswered, before the state is replaced
            cpu.discardExitState();
            if (freshXsave != null) cpu.setXsave(freshXsave);
            cpu.setDebugRegs(freshDebug);
            cpu.setVcpuEvents(freshEvents);
            reused = true;
        }

        void destroy() {
            try {
                vm.close();
            } finally {
                arena.close();
            }
        }
    }

    private final ArrayDeque<Machine> idle = new ArrayDeque<>();
    private boolean closed;

    /** A machine with {@code size} bytes of RAM, new or reset to new (its RAM still to be written). */
    Machine take(KvmHypervisor hv, long size) throws BackendException {
        while (true) {
            Machine m;
            synchronized (this) {
                m = idle.pollFirst();
            }
            if (m == null) break;
            if (m.ram.byteSize() != size) {
                m.destroy();
                continue;
            }
            try {
                m.resetToNew();
                return m;
            } catch (BackendException | RuntimeException e) {
                LOG.warn("a kept replay VM could not be reset ({}); a new one is made", e.toString());
                m.destroy();
            }
        }
        Arena arena = Arena.ofShared();
        KvmVm vm = null;
        try {
            MemorySegment ram = arena.allocate(size, 4096);
            vm = hv.createVm();
            vm.setMemoryRegion(0, 0, ram, false);
            KvmVcpu cpu = vm.createVcpu(0);
            return new Machine(vm, cpu, ram, arena);
        } catch (BackendException | RuntimeException | OutOfMemoryError e) {
            if (vm != null) vm.close();
            arena.close();
            throw e;
        }
    }

    /** Gives a machine back after a replay that ended cleanly; destroyed if enough are kept or the pool is closed. */
    void give(Machine m) {
        synchronized (this) {
            if (!closed && idle.size() < MAX_IDLE) {
                idle.addLast(m);
                return;
            }
        }
        m.destroy();
    }

    @Override
    public void close() {
        ArrayDeque<Machine> all;
        synchronized (this) {
            closed = true;
            all = new ArrayDeque<>(idle);
            idle.clear();
        }
        for (Machine m : all) m.destroy();
    }
}
