package pcm.core.api.verify;

import java.util.ArrayList;
import java.util.List;

import pcm.core.api.cpu.Registers;
import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;

/**
 * The structural rules every replayable window obeys, checked once here for all verifiers: both
 * snapshots with registers, special registers and memory of the same page-multiple size; events in
 * position order, each with a position, ending with exactly one END; a final snapshot taken at END.
 * Every logged value a verifier narrows (a vector, port, size, MSR index, CPUID leaf, register index)
 * is in the range of what it is narrowed to, and no snapshot holds a value a verifier would ignore
 * (reserved RFLAGS bits, an FXSAVE image of another size): otherwise two different logs would replay
 * as the same window (issue 11 item 5).
 */
public final class WindowShape {

    private WindowShape() {}

    /**
     * @return the position of the window's END event (its instruction count)
     * @throws MalformedWindowException naming the first rule the window breaks
     */
    public static long endPosition(Window w) throws MalformedWindowException {
        List<String> missing = new ArrayList<>();
        Snapshot i = w.initial(), e = w.end();
        missingParts(missing, "initial", i);
        missingParts(missing, "final", e);
        if (w.events() == null) missing.add("event list");
        if (!missing.isEmpty()) throw new MalformedWindowException("window lacks " + String.join(", ", missing));
        checkState("initial", i);
        checkState("final", e);
        long size = i.memory().size();
        if (size <= 0 || (size & 0xFFF) != 0) {
            throw new MalformedWindowException("initial memory size " + size + " is not a positive multiple of 4 KiB");
        }
        if (e.memory().size() != size) {
            throw new MalformedWindowException("memory sizes differ: initial " + size + ", final " + e.memory().size());
        }
        PcmEvent end = null;
        long last = 0, lastFingerprint = 0;
        for (PcmEvent ev : w.events()) {
            if (ev == null || ev.kind() == null) throw new MalformedWindowException("null event in the log");
            if (ev.kind() == EventKind.STATE) continue;
            if (end != null) throw new MalformedWindowException("event " + ev.kind() + " after END");
            checkEvent(ev);
            if (ev.kind() == EventKind.FINGERPRINTS) {
                // logged after the positions it covers: not in position order with the rest, ascending among its kind
                if (ev.position() <= lastFingerprint) {
                    throw new MalformedWindowException("FINGERPRINTS from position " + ev.position() + " overlap the previous ones (to "
                            + lastFingerprint + ")");
                }
                lastFingerprint = ev.position() + ev.data().length - 1;
                continue;
            }
            if (ev.position() < 0) {
                throw new MalformedWindowException(ev.kind() + " event without a position (the recorder could not count)");
            }
            if (ev.position() < last) {
                throw new MalformedWindowException("events out of position order: " + ev.kind() + "@" + ev.position()
                        + " after position " + last);
            }
            last = ev.position();
            if (ev.kind() == EventKind.END) end = ev;
        }
        if (end == null) throw new MalformedWindowException("no END event (the window was cut off)");
        if (lastFingerprint > end.position()) {
            throw new MalformedWindowException("FINGERPRINTS up to position " + lastFingerprint + " go beyond END at " + end.position());
        }
        if (e.position() != 0 && e.position() != end.position()) {
            throw new MalformedWindowException("final snapshot at position " + e.position() + " but END at " + end.position());
        }
        return end.position();
    }

    /** RFLAGS bits that always read as 0: 3, 5, 15 and 22-63 (bit 1 always reads as 1). */
    public static final long RFLAGS_RESERVED_ZERO = 1L << 3 | 1L << 5 | 1L << 15 | -1L << 22;

    /** The size of an FXSAVE image ({@link Snapshot#fpu()}); an empty or null image means "not captured". */
    public static final int FXSAVE_SIZE = 512;

    /**
     * The vCPU state of a snapshot holds only values a CPU can have: RFLAGS with bit 1 set and its reserved
     * bits clear, an FXSAVE image of 512 bytes (or none).
     *
     * @param which names the snapshot in the message ("initial", "final")
     * @since 1.4
     */
    public static void checkState(String which, Snapshot s) throws MalformedWindowException {
        if (s.registers() != null) {
            long rflags = s.registers().rflags();
            if ((rflags & 2) == 0 || (rflags & RFLAGS_RESERVED_ZERO) != 0) {
                throw new MalformedWindowException(which + " RFLAGS 0x" + Long.toHexString(rflags)
                        + " has reserved bits wrong (bit 1 must be 1; bits 3, 5, 15, 22-63 must be 0)");
            }
        }
        if (s.fpu() != null && s.fpu().length != 0 && s.fpu().length != FXSAVE_SIZE) {
            throw new MalformedWindowException(which + " FPU image is " + s.fpu().length + " bytes, an FXSAVE image is "
                    + FXSAVE_SIZE);
        }
    }

    /**
     * One logged event's fields are in the range of what verifiers narrow them to (and its data has the size
     * its kind says): a vector fits 8 bits, a port 16, an MSR index, CPUID leaf or RDPMC counter 32; a port
     * or MMIO value fits the access size logged with it; a register index names a register.
     *
     * @since 1.4
     */
    public static void checkEvent(PcmEvent e) throws MalformedWindowException {
        String bad = switch (e.kind()) {
            case INTERRUPT -> unsignedBelow(e.address(), 256) ? null : "vector 0x" + Long.toHexString(e.address()) + " is not 0..255";
            case PIO_IN -> !unsignedBelow(e.address(), 0x1_0000) ? "port 0x" + Long.toHexString(e.address()) + " is not 16-bit"
                    : access(e, 0b10110);
            case MMIO_READ, MMIO_WRITE -> access(e, 0b1_0001_0110);
            case CPUID -> !unsignedBelow(e.address(), 1L << 32) ? "leaf 0x" + Long.toHexString(e.address()) + " is not 32-bit"
                    : e.data().length != 16 && e.data().length != 20 ? e.data().length + " data bytes, not 16 (eax..edx) or 20 (+subleaf)"
                    : null;
            case MSR_READ -> unsignedBelow(e.address(), 1L << 32) ? null : "MSR index 0x" + Long.toHexString(e.address()) + " is not 32-bit";
            case RDPMC -> unsignedBelow(e.address(), 1L << 32) ? null : "counter 0x" + Long.toHexString(e.address()) + " is not 32-bit";
            case RDTSCP -> e.data().length == 0 || e.data().length == 4 ? null : e.data().length + " data bytes, not 0 or 4 (TSC_AUX)";
            case RDRAND, RDSEED -> e.data().length == 0 || (e.data().length == 1 && (e.data()[0] & 0xFE) == 0) ? null
                    : "carry flag data must be one byte 0 or 1";
            case DMA_WRITE -> e.value() == 0 || e.value() == e.data().length ? null
                    : "length " + e.value() + " but " + e.data().length + " data bytes";
            case REG_WRITE -> !unsignedBelow(e.address(), Registers.NAMES.length) ? "register index " + e.address() + " names no register"
                    : e.data().length == 0 || (e.data().length == 1 && e.data()[0] == 1) ? null
                    : "data must be empty (set) or the byte 1 (XOR)";
            case CHECKPOINT -> (e.address() & -1L << Registers.NAMES.length) == 0 && e.data().length == 8 * Long.bitCount(e.address())
                    ? null : "register mask 0x" + Long.toHexString(e.address()) + " does not fit " + e.data().length + " data bytes";
            case FINGERPRINTS -> e.data().length == 0 ? "no fingerprint bytes"
                    : e.position() < 1 || e.position() > Long.MAX_VALUE - e.data().length ? "first position " + e.position() + " is not >= 1"
                    : null;
            default -> null;
        };
        if (bad != null) {
            throw new MalformedWindowException(e.kind() + " at position " + e.position() + " is malformed: " + bad);
        }
    }

    private static boolean unsignedBelow(long v, long limit) {
        return v >= 0 && v < limit;
    }

    /** A port or MMIO access: its optional size byte is one of {@code sizes} (bit n: n bytes), its value fits it. */
    private static String access(PcmEvent e, int sizes) {
        if (e.data().length > 1) return e.data().length + " data bytes, not the access size alone";
        int size = e.data().length == 0 ? (e.kind() == EventKind.PIO_IN ? 4 : 8) : e.data()[0];
        if (size <= 0 || size > 8 || (sizes & 1 << size) == 0) return "access size " + size;
        if (size < 8 && (e.value() >>> (8 * size)) != 0) {
            return "value 0x" + Long.toHexString(e.value()) + " does not fit " + size + " byte(s)";
        }
        return null;
    }

    private static void missingParts(List<String> missing, String which, Snapshot s) {
        if (s == null) {
            missing.add(which + " snapshot");
            return;
        }
        if (s.registers() == null) missing.add(which + " registers");
        if (s.specialRegisters() == null) missing.add(which + " special registers");
        if (s.memory() == null) missing.add(which + " memory");
    }
}
