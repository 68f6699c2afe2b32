package pcm.devices.internal.testdev;

import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Register model of the PCM test device (docs/guest-contract.md, "PCM test device registers"):
 * 64-bit registers at 8-byte offsets; a 32-bit read of a register's low half is allowed, every
 * other access shape is ignored (reads return all ones) and counted. Registers are single
 * {@code long}s, so concurrent vCPUs need no lock; events are delivered on the accessing thread.
 */
public final class PcmTestRegisters {

    /** What the device reports to the machine. */
    public interface Events {
        /** The guest wrote a checkpoint. */
        default void progress(long value) {}

        /** The guest wrote its final hash. */
        default void result(long value) {}

        /** The guest asked to power off with this exit status. */
        void powerOff(long status);
    }

    public static final int ID = 0x00;
    public static final int PARAMETER = 0x08;
    public static final int SCRATCH = 0x10;
    public static final int PROGRESS = 0x18;
    public static final int RESULT = 0x20;
    public static final int POWER_OFF = 0x28;
    /** Size of the register window. */
    public static final int SIZE = 0x1000;

    /** "PCM1", version 1. */
    public static final long ID_VALUE = 0x0000_0001_5043_4D31L;

    /** Saved state. */
    public record State(long scratch, long lastProgress, long progressWrites, long result, boolean resultWritten) {}

    private final LongSupplier parameter;
    private final Events events;

    private volatile long scratch;
    private volatile long lastProgress;
    private final AtomicLong progressWrites = new AtomicLong();
    private volatile long result;
    private volatile boolean resultWritten;
    private final AtomicLong invalidAccesses = new AtomicLong();

    public PcmTestRegisters(LongSupplier parameter, Events events) {
        this.parameter = parameter;
        this.events = events;
    }

    public long read(long offset, int size) {
        if (!validRead(offset, size)) {
            invalidAccesses.incrementAndGet();
            return size >= 8 ? -1L : (1L << (size * 8)) - 1;
        }
        long value = switch ((int) offset) {
            case ID -> ID_VALUE;
            case PARAMETER -> parameter.getAsLong();
            case SCRATCH -> scratch;
            default -> 0L;   // write-only registers read as zero
        };
        return size == 4 ? value & 0xFFFF_FFFFL : value;
    }

    public void write(long offset, int size, long value) {
        if (size != 8 || !isRegister(offset)) {
            invalidAccesses.incrementAndGet();
            return;
        }
        switch ((int) offset) {
            case SCRATCH -> scratch = value;
            case PROGRESS -> {
                lastProgress = value;
                progressWrites.incrementAndGet();
                events.progress(value);
            }
            case RESULT -> {
                result = value;
                resultWritten = true;
                events.result(value);
            }
            case POWER_OFF -> events.powerOff(value);
            default -> invalidAccesses.incrementAndGet();   // ID and parameter are read-only
        }
    }

    public long scratch() {
        return scratch;
    }

    public long lastProgress() {
        return lastProgress;
    }

    public long progressWrites() {
        return progressWrites.get();
    }

    public long result() {
        return result;
    }

    public boolean resultWritten() {
        return resultWritten;
    }

    public long invalidAccesses() {
        return invalidAccesses.get();
    }

    public State save() {
        return new State(scratch, lastProgress, progressWrites.get(), result, resultWritten);
    }

    public void restore(State s) {
        scratch = s.scratch();
        lastProgress = s.lastProgress();
        progressWrites.set(s.progressWrites());
        result = s.result();
        resultWritten = s.resultWritten();
    }

    private static boolean isRegister(long offset) {
        return offset >= 0 && offset <= POWER_OFF && (offset & 7) == 0;
    }

    private static boolean validRead(long offset, int size) {
        return isRegister(offset) && (size == 8 || size == 4);
    }
}
