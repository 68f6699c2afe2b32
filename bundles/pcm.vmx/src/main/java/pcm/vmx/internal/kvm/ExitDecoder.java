package pcm.vmx.internal.kvm;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED;
import static pcm.vmx.internal.kvm.KvmLayouts.*;

import java.lang.foreign.MemorySegment;

import pcm.core.api.vm.VmExit;

/**
 * Decodes the shared {@code kvm_run} page into {@link VmExit} values, straight from the
 * {@link MemorySegment} (no copies of the page), and writes read results back into it.
 * <p>
 * String port I/O ({@code io.count > 1}, e.g. {@code rep outsb}/{@code rep insb}) is split into unit
 * accesses: {@link #decode} returns the first unit and {@link #nextUnit} the following ones, walking the
 * data area at {@code io.data_offset} in steps of {@code io.size}; the results of IN units go into their
 * own slots, and only after the last unit may the vCPU re-enter {@code KVM_RUN}, which completes the
 * whole instruction.
 * <p>
 * Exit mapping: IO → PortIn/PortOut, MMIO → MmioRead/MmioWrite, HLT → Hlt(if_flag),
 * SHUTDOWN → Shutdown({@link #SHUTDOWN_STATUS}, "triple fault"), DEBUG → Debug(pc, dr6, exception),
 * FAIL_ENTRY → EntryFailure, INTERNAL_ERROR → InternalError(suberror, data words and instruction bytes),
 * INTR → Interrupted, IRQ_WINDOW_OPEN → InterruptWindow, HYPERCALL → Hypercall, X86_RDMSR/WRMSR →
 * MsrRead/MsrWrite, SYSTEM_EVENT → Shutdown; anything else → InternalError with suberror
 * {@code -exit_reason} (negative = "not a KVM internal error: unhandled exit reason").
 * <p>
 * Not thread safe: used by the vCPU's thread only.
 */
final class ExitDecoder {

    /** Status of the {@link VmExit.Shutdown} for KVM_EXIT_SHUTDOWN (a triple fault): -1, never a clean power off. */
    static final int SHUTDOWN_STATUS = -1;

    static final VmExit.Interrupted INTERRUPTED = new VmExit.Interrupted();
    static final VmExit.InterruptWindow INTERRUPT_WINDOW = new VmExit.InterruptWindow();
    static final VmExit.Hlt HLT_IF = new VmExit.Hlt(true);
    static final VmExit.Hlt HLT_NOIF = new VmExit.Hlt(false);

    private final MemorySegment run;

    // string / single port I/O cursor
    private int ioDirection;
    private int ioSize;
    private int ioPort;
    private int ioLeft;      // units after the current one
    private long ioCurrent;  // offset (in run) of the current unit's data

    ExitDecoder(MemorySegment run) {
        this.run = run;
    }

    int exitReason() {
        return run.get(JAVA_INT, RUN_EXIT_REASON);
    }

    /** Decodes the exit KVM_RUN just reported. */
    VmExit decode() {
        int reason = run.get(JAVA_INT, RUN_EXIT_REASON);
        switch (reason) {
            case KvmApi.KVM_EXIT_IO: {
                ioDirection = run.get(JAVA_BYTE, RUN_IO_DIRECTION);
                ioSize = run.get(JAVA_BYTE, RUN_IO_SIZE) & 0xFF;
                ioPort = run.get(JAVA_SHORT, RUN_IO_PORT) & 0xFFFF;
                int count = run.get(JAVA_INT, RUN_IO_COUNT);
                ioCurrent = run.get(JAVA_LONG, RUN_IO_DATA_OFFSET);
                ioLeft = count > 0 ? count - 1 : 0;
                return ioUnit();
            }
            case KvmApi.KVM_EXIT_MMIO: {
                long addr = run.get(JAVA_LONG, RUN_MMIO_PHYS_ADDR);
                int len = run.get(JAVA_INT, RUN_MMIO_LEN);
                if (run.get(JAVA_BYTE, RUN_MMIO_IS_WRITE) != 0) {
                    return new VmExit.MmioWrite(addr, len, read(RUN_MMIO_DATA, len));
                }
                return new VmExit.MmioRead(addr, len);
            }
            case KvmApi.KVM_EXIT_HLT:
                return run.get(JAVA_BYTE, RUN_IF_FLAG) != 0 ? HLT_IF : HLT_NOIF;
            case KvmApi.KVM_EXIT_IRQ_WINDOW_OPEN:
                return INTERRUPT_WINDOW;
            case KvmApi.KVM_EXIT_INTR:
                return INTERRUPTED;
            case KvmApi.KVM_EXIT_DEBUG:
                return new VmExit.Debug(run.get(JAVA_LONG, RUN_DEBUG_PC), run.get(JAVA_LONG, RUN_DEBUG_DR6),
                        run.get(JAVA_INT, RUN_DEBUG_EXCEPTION));
            case KvmApi.KVM_EXIT_SHUTDOWN:
                return new VmExit.Shutdown(SHUTDOWN_STATUS, "triple fault (KVM_EXIT_SHUTDOWN)");
            case KvmApi.KVM_EXIT_FAIL_ENTRY: {
                long hw = run.get(JAVA_LONG, RUN_FAIL_ENTRY_REASON);
                int cpu = run.get(JAVA_INT, RUN_FAIL_ENTRY_CPU);
                return new VmExit.EntryFailure(hw, "KVM_EXIT_FAIL_ENTRY: hardware entry failure reason 0x"
                        + Long.toHexString(hw) + " on host cpu " + cpu);
            }
            case KvmApi.KVM_EXIT_INTERNAL_ERROR:
                return internalError();
            case KvmApi.KVM_EXIT_HYPERCALL:
                return new VmExit.Hypercall(run.get(JAVA_LONG, RUN_HYPERCALL_NR),
                        run.get(JAVA_LONG, RUN_HYPERCALL_ARGS), run.get(JAVA_LONG, RUN_HYPERCALL_ARGS + 8),
                        run.get(JAVA_LONG, RUN_HYPERCALL_ARGS + 16), run.get(JAVA_LONG, RUN_HYPERCALL_ARGS + 24));
            case KvmApi.KVM_EXIT_X86_RDMSR:
                return new VmExit.MsrRead(run.get(JAVA_INT, RUN_MSR_INDEX));
            case KvmApi.KVM_EXIT_X86_WRMSR:
                return new VmExit.MsrWrite(run.get(JAVA_INT, RUN_MSR_INDEX), run.get(JAVA_LONG, RUN_MSR_DATA));
            case KvmApi.KVM_EXIT_SYSTEM_EVENT: {
                int type = run.get(JAVA_INT, RUN_SYSTEM_EVENT_TYPE);
                return switch (type) {
                    case KvmApi.KVM_SYSTEM_EVENT_SHUTDOWN -> new VmExit.Shutdown(0, "system event: shutdown");
                    case KvmApi.KVM_SYSTEM_EVENT_RESET -> new VmExit.Shutdown(0, "system event: reset");
                    case KvmApi.KVM_SYSTEM_EVENT_CRASH -> new VmExit.Shutdown(SHUTDOWN_STATUS, "system event: crash");
                    default -> new VmExit.Shutdown(SHUTDOWN_STATUS, "system event type " + type);
                };
            }
            default:
                return new VmExit.InternalError(-reason, "unhandled KVM exit reason " + reason + " (" + exitName(reason) + ")");
        }
    }

    private VmExit.InternalError internalError() {
        int sub = run.get(JAVA_INT, RUN_INTERNAL_SUBERROR);
        int ndata = run.get(JAVA_INT, RUN_INTERNAL_NDATA);
        StringBuilder sb = new StringBuilder("KVM_EXIT_INTERNAL_ERROR suberror ").append(sub).append(" (")
                .append(switch (sub) {
                    case KvmApi.KVM_INTERNAL_ERROR_EMULATION -> "emulation failure";
                    case KvmApi.KVM_INTERNAL_ERROR_SIMUL_EX -> "exception while delivering an exception";
                    case KvmApi.KVM_INTERNAL_ERROR_DELIVERY_EV -> "exit while delivering an event";
                    case KvmApi.KVM_INTERNAL_ERROR_UNEXPECTED_EXIT_REASON -> "unexpected exit reason";
                    default -> "unknown";
                }).append(')');
        int n = Math.min(Math.max(ndata, 0), 16);
        if (n > 0) {
            sb.append(", data");
            for (int i = 0; i < n; i++) {
                sb.append(' ').append("0x").append(Long.toHexString(run.get(JAVA_LONG, RUN_INTERNAL_DATA + 8L * i)));
            }
        }
        if (sub == KvmApi.KVM_INTERNAL_ERROR_EMULATION && n >= 2
                && (run.get(JAVA_LONG, RUN_INTERNAL_DATA) & KvmApi.KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES) != 0) {
            // struct emulation_failure: flags (data[0]), insn_size (u8), insn_bytes[15]
            int size = Math.min(run.get(JAVA_BYTE, RUN_INTERNAL_DATA + 8) & 0xFF, 15);
            sb.append(", instruction bytes");
            for (int i = 0; i < size; i++) {
                sb.append(String.format(" %02x", run.get(JAVA_BYTE, RUN_INTERNAL_DATA + 9 + i) & 0xFF));
            }
        }
        return new VmExit.InternalError(sub, sb.toString());
    }

    private VmExit ioUnit() {
        if (ioDirection == KvmApi.KVM_EXIT_IO_OUT) {
            return new VmExit.PortOut(ioPort, ioSize, read(ioCurrent, ioSize));
        }
        return new VmExit.PortIn(ioPort, ioSize);
    }

    /** Whether units of a string I/O remain to be returned before the next KVM_RUN. */
    boolean hasPendingUnits() {
        return ioLeft > 0;
    }

    /** The next unit of a string I/O. */
    VmExit nextUnit() {
        ioLeft--;
        ioCurrent += ioSize;
        return ioUnit();
    }

    /** Drops any remaining units (e.g. after a register reset). */
    void resetPending() {
        ioLeft = 0;
    }

    /** Result of the current PortIn unit, into its slot of the data area. */
    void completePortIn(long value) {
        write(ioCurrent, ioSize, value);
    }

    /** Result of an MmioRead, into run->mmio.data. */
    void completeMmioRead(long value) {
        write(RUN_MMIO_DATA, run.get(JAVA_INT, RUN_MMIO_LEN), value);
    }

    void completeMsrRead(long value, boolean error) {
        run.set(JAVA_LONG, RUN_MSR_DATA, value);
        run.set(JAVA_BYTE, RUN_MSR_ERROR, (byte) (error ? 1 : 0));
    }

    void completeMsrWrite(boolean error) {
        run.set(JAVA_BYTE, RUN_MSR_ERROR, (byte) (error ? 1 : 0));
    }

    void completeHypercall(long ret) {
        run.set(JAVA_LONG, RUN_HYPERCALL_RET, ret);
    }

    private long read(long off, int size) {
        return switch (size) {
            case 1 -> run.get(JAVA_BYTE, off) & 0xFFL;
            case 2 -> run.get(JAVA_SHORT_UNALIGNED, off) & 0xFFFFL;
            case 4 -> run.get(JAVA_INT_UNALIGNED, off) & 0xFFFF_FFFFL;
            case 8 -> run.get(JAVA_LONG_UNALIGNED, off);
            default -> {
                long v = 0;
                for (int i = Math.min(size, 8) - 1; i >= 0; i--) {
                    v = (v << 8) | (run.get(JAVA_BYTE, off + i) & 0xFFL);
                }
                yield v;
            }
        };
    }

    private void write(long off, int size, long v) {
        switch (size) {
            case 1 -> run.set(JAVA_BYTE, off, (byte) v);
            case 2 -> run.set(JAVA_SHORT_UNALIGNED, off, (short) v);
            case 4 -> run.set(JAVA_INT_UNALIGNED, off, (int) v);
            case 8 -> run.set(JAVA_LONG_UNALIGNED, off, v);
            default -> {
                for (int i = 0; i < Math.min(size, 8); i++) {
                    run.set(JAVA_BYTE, off + i, (byte) (v >>> (8 * i)));
                }
            }
        }
    }

    static String exitName(int reason) {
        return switch (reason) {
            case 0 -> "KVM_EXIT_UNKNOWN";
            case 1 -> "KVM_EXIT_EXCEPTION";
            case 2 -> "KVM_EXIT_IO";
            case 3 -> "KVM_EXIT_HYPERCALL";
            case 4 -> "KVM_EXIT_DEBUG";
            case 5 -> "KVM_EXIT_HLT";
            case 6 -> "KVM_EXIT_MMIO";
            case 7 -> "KVM_EXIT_IRQ_WINDOW_OPEN";
            case 8 -> "KVM_EXIT_SHUTDOWN";
            case 9 -> "KVM_EXIT_FAIL_ENTRY";
            case 10 -> "KVM_EXIT_INTR";
            case 11 -> "KVM_EXIT_SET_TPR";
            case 12 -> "KVM_EXIT_TPR_ACCESS";
            case 16 -> "KVM_EXIT_NMI";
            case 17 -> "KVM_EXIT_INTERNAL_ERROR";
            case 24 -> "KVM_EXIT_SYSTEM_EVENT";
            case 26 -> "KVM_EXIT_IOAPIC_EOI";
            case 27 -> "KVM_EXIT_HYPERV";
            case 29 -> "KVM_EXIT_X86_RDMSR";
            case 30 -> "KVM_EXIT_X86_WRMSR";
            case 31 -> "KVM_EXIT_DIRTY_RING_FULL";
            case 32 -> "KVM_EXIT_AP_RESET_HOLD";
            case 33 -> "KVM_EXIT_X86_BUS_LOCK";
            case 34 -> "KVM_EXIT_XEN";
            case 37 -> "KVM_EXIT_NOTIFY";
            case 38 -> "KVM_EXIT_LOONGARCH_IOCSR";
            case 39 -> "KVM_EXIT_MEMORY_FAULT";
            default -> "?";
        };
    }
}
