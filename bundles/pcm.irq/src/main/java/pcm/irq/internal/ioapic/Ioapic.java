package pcm.irq.internal.ioapic;

import java.util.ArrayList;
import java.util.List;

/**
 * The register model of an 82093AA-style IOAPIC (version 0x11: no EOI register, Remote IRR is cleared by the
 * local APIC's broadcast EOI). Not thread-safe: {@link IoapicDevice} locks around it. Interrupt messages are
 * collected and sent by the caller after its lock is released.
 * <p>
 * Pins: an edge-triggered pin sends one message per rising assertion while unmasked (edges while masked are
 * lost, as on the 82093AA); a level-triggered pin sends while asserted, unmasked and Remote IRR clear, and sets
 * Remote IRR; the EOI of its vector clears it and, if the line is still asserted, sends again.
 */
public final class Ioapic {

    public static final int PINS = 24, VERSION = 0x11;
    static final int REG_ID = 0x00, REG_VERSION = 0x01, REG_ARBITRATION = 0x02, REG_REDIRECTION = 0x10;
    static final long MASKED = 1L << 16, LEVEL = 1L << 15, REMOTE_IRR = 1L << 14, ACTIVE_LOW = 1L << 13, LOGICAL = 1L << 11;
    /** Writable bits of an entry: vector, delivery mode, destination mode, polarity, trigger, mask, destination. */
    static final long WRITABLE = 0xFF00_0000_0001_AFFFL;

    /** A message for the local APIC(s). */
    public record Message(int destination, boolean logical, int deliveryMode, int vector, boolean level) {}

    public record State(int id, int select, long[] redirection, boolean[] lines) {
        public State {
            redirection = redirection.clone();
            lines = lines.clone();
        }
    }

    private int id;
    private int select;
    private final long[] redirection = new long[PINS];
    private final boolean[] lines = new boolean[PINS];   // each input asserted or not (logical, not electrical)
    private final List<Message> outbox = new ArrayList<>();

    public Ioapic() {
        java.util.Arrays.fill(redirection, MASKED);
    }

    // ---------------------------------------------------------------- registers

    public int readSelect() {
        return select;
    }

    public void writeSelect(int value) {
        select = value & 0xFF;
    }

    public int readWindow() {
        int r = select;
        if (r == REG_ID) return id << 24;
        if (r == REG_VERSION) return (PINS - 1) << 16 | VERSION;
        if (r == REG_ARBITRATION) return id << 24;
        if (r >= REG_REDIRECTION && r < REG_REDIRECTION + 2 * PINS) {
            long e = redirection[(r - REG_REDIRECTION) >> 1];
            return (r & 1) == 0 ? (int) e : (int) (e >>> 32);
        }
        return 0;                                          // unimplemented registers read 0
    }

    public void writeWindow(int value) {
        int r = select;
        if (r == REG_ID) {
            id = value >>> 24 & 0xF;
            return;
        }
        if (r < REG_REDIRECTION || r >= REG_REDIRECTION + 2 * PINS) return; // read-only or unimplemented
        int pin = (r - REG_REDIRECTION) >> 1;
        long old = redirection[pin];
        long part = (r & 1) == 0 ? Integer.toUnsignedLong(value) : (long) value << 32;
        long keep = (r & 1) == 0 ? 0xFFFF_FFFF_0000_0000L : 0xFFFF_FFFFL;
        long e = (old & keep | part & ~keep) & WRITABLE | old & REMOTE_IRR;
        if ((e & LEVEL) == 0) e &= ~REMOTE_IRR;             // Remote IRR is defined for level-triggered pins only
        redirection[pin] = e;
        if ((old & MASKED) != 0 && (e & MASKED) == 0 || (old & LEVEL) == 0 && (e & LEVEL) != 0) serviceLevel(pin);
    }

    // ---------------------------------------------------------------- pins

    public void setPin(int pin, boolean asserted) {
        if (pin < 0 || pin >= PINS) return;
        boolean wasAsserted = asserted(pin);
        lines[pin] = asserted;
        boolean nowAsserted = asserted(pin);
        long e = redirection[pin];
        if ((e & LEVEL) != 0) serviceLevel(pin);
        else if (!wasAsserted && nowAsserted && (e & MASKED) == 0) send(e);
    }

    /** Inputs are logical (IoApic.setPin): the polarity bit is kept for the OS to read back, never applied. */
    private boolean asserted(int pin) {
        return lines[pin];
    }

    private void serviceLevel(int pin) {
        long e = redirection[pin];
        if ((e & LEVEL) == 0 || (e & MASKED) != 0 || (e & REMOTE_IRR) != 0 || !asserted(pin)) return;
        redirection[pin] = e | REMOTE_IRR;
        send(e);
    }

    private void send(long e) {
        outbox.add(new Message((int) (e >>> 56), (e & LOGICAL) != 0, (int) (e >> 8) & 7, (int) e & 0xFF, (e & LEVEL) != 0));
    }

    /** The local APIC's EOI of {@code vector}: clears Remote IRR of the level pins on it; still-asserted ones send again. */
    public void endOfInterrupt(int vector) {
        for (int pin = 0; pin < PINS; pin++) {
            long e = redirection[pin];
            if ((e & LEVEL) != 0 && (e & REMOTE_IRR) != 0 && (int) (e & 0xFF) == vector) {
                redirection[pin] = e & ~REMOTE_IRR;
                serviceLevel(pin);
            }
        }
    }

    public List<Message> takeMessages() {
        if (outbox.isEmpty()) return List.of();
        List<Message> out = List.copyOf(outbox);
        outbox.clear();
        return out;
    }

    long entry(int pin) {
        return redirection[pin];
    }

    public State save() {
        return new State(id, select, redirection, lines);
    }

    public void restore(State s) {
        if (s.redirection().length != PINS || s.lines().length != PINS)
            throw new IllegalArgumentException("IOAPIC state for " + s.redirection().length + " pins, this one has " + PINS);
        id = s.id();
        select = s.select();
        System.arraycopy(s.redirection(), 0, redirection, 0, PINS);
        System.arraycopy(s.lines(), 0, lines, 0, PINS);
    }
}
