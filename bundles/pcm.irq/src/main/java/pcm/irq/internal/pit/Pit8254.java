package pcm.irq.internal.pit;

import java.util.function.LongSupplier;

/**
 * Register model of the 8254 programmable interval timer (three channels, input clock
 * 1.193182 MHz) plus the channel 2 gate/output bits of system control port B (0x61). Counters are
 * not ticked: each channel remembers when its count was loaded and derives the counter, its
 * output and its output edges from the time source, so the model needs no thread. Not thread
 * safe; {@link PitDevice} serialises access.
 * <p>
 * Modes 0–5 are modelled (6 and 7 alias 2 and 3); BCD counting is accepted but counts in binary.
 * A new count in modes 2/3 takes effect at once (hardware waits for the end of the period).
 */
public final class Pit8254 {

    /** Input clock of the PC's 8254, Hz. */
    public static final long FREQUENCY = 1_193_182L;
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    // access (read/write) states
    private static final int RW_LSB = 1;
    private static final int RW_MSB = 2;
    private static final int RW_WORD0 = 3;
    private static final int RW_WORD1 = 4;

    /** Saved state of one channel. */
    public record ChannelState(int count, long loadTime, boolean armed, boolean triggered, int mode, boolean bcd, int rwMode,
                               int readState, int writeState, int writeLatch, int latchedCount,
                               int countLatched, int status, boolean statusLatched, boolean gate,
                               long edgesTaken) {}

    /** Saved state of the timer; time stamps are in the time source's nanoseconds. */
    public record State(ChannelState channel0, ChannelState channel1, ChannelState channel2,
                        boolean speakerDataEnable) {}

    private final LongSupplier nanoTime;
    private final Channel[] channels = {new Channel(true), new Channel(true), new Channel(false)};

    /**
     * The time source changed (the device's clock moved from host to guest time or back): every channel keeps the
     * time it has counted, on the new source's timeline, {@code delta} = new now − old now. Without it a count loaded
     * on one timeline was read on the other and its next edge lay as far away as the two clocks are apart.
     */
    public void shiftTime(long delta) {
        for (Channel c : channels) c.loadTime += delta;
    }
    private boolean speakerDataEnable;

    public Pit8254(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    /** Read of port 0x40 + offset (0–2 counters; 3, the control word, reads as 0xFF). */
    public int read(int offset) {
        if (offset < 0 || offset > 2) return 0xFF;
        return channels[offset].read(nanoTime.getAsLong());
    }

    /** Write of port 0x40 + offset (0–2 counters, 3 control word). */
    public void write(int offset, int value) {
        long now = nanoTime.getAsLong();
        value &= 0xFF;
        if (offset == 3) {
            controlWord(value, now);
        } else if (offset >= 0 && offset <= 2) {
            channels[offset].writeCount(value, now);
        }
    }

    /** Port 0x61 (system control port B) as far as the timer owns it: bits 0, 1, 4 and 5. */
    public int readPortB() {
        long now = nanoTime.getAsLong();
        Channel c2 = channels[2];
        int refresh = (int) ((now / 15_085L) & 1);   // DRAM refresh toggles every ~15 µs
        return (c2.gate ? 0x01 : 0) | (speakerDataEnable ? 0x02 : 0) | (refresh << 4) | (c2.output(now) ? 0x20 : 0);
    }

    public void writePortB(int value) {
        speakerDataEnable = (value & 0x02) != 0;
        channels[2].setGate((value & 0x01) != 0, nanoTime.getAsLong());
    }

    /** Level of a channel's OUT pin now. */
    public boolean output(int channel) {
        return channels[channel].output(nanoTime.getAsLong());
    }

    /** The gate of channel 2 (channels 0 and 1 are tied high). */
    public void setGate2(boolean high) {
        channels[2].setGate(high, nanoTime.getAsLong());
    }

    /** Counter value a read would return now (0 stands for 65536 only right after a load of 0). */
    public int counter(int channel) {
        return channels[channel].counter(nanoTime.getAsLong()) & 0xFFFF;
    }

    /**
     * Rising edges of OUT of {@code channel} since the previous call (or since the count was
     * loaded), up to {@code now}; consumes them. This is what drives IRQ 0 for channel 0.
     */
    public long takeRisingEdges(int channel, long now) {
        Channel c = channels[channel];
        long total = c.risingEdges(now);
        long fresh = total - c.edgesTaken;
        c.edgesTaken = total;
        return Math.max(0, fresh);
    }

    /** Rising edges of OUT up to {@code now} that {@link #takeRisingEdges} has not handed out yet. */
    public long pendingRisingEdges(int channel, long now) {
        Channel c = channels[channel];
        return Math.max(0, c.risingEdges(now) - c.edgesTaken);
    }

    /** Time of the next rising edge of OUT after {@code now}, or {@link Long#MAX_VALUE} if none will come. */
    public long nextRisingEdge(int channel, long now) {
        return channels[channel].nextRisingEdge(now);
    }

    /** The programmed mode (0–5) of a channel. */
    public int mode(int channel) {
        return channels[channel].mode;
    }

    /** The loaded count (1–65536), or 0 if the channel has not been given a count since its control word. */
    public int reload(int channel) {
        Channel c = channels[channel];
        return c.armed ? c.count : 0;
    }

    public State save() {
        return new State(channels[0].save(), channels[1].save(), channels[2].save(), speakerDataEnable);
    }

    public void restore(State s) {
        channels[0].restore(s.channel0());
        channels[1].restore(s.channel1());
        channels[2].restore(s.channel2());
        speakerDataEnable = s.speakerDataEnable();
    }

    private void controlWord(int value, long now) {
        int sc = value >> 6;
        if (sc == 3) {   // read-back: bit 5 = 0 latches counts, bit 4 = 0 latches status
            for (int i = 0; i < 3; i++) {
                if ((value & (2 << i)) == 0) continue;
                Channel c = channels[i];
                if ((value & 0x20) == 0) c.latchCount(now);
                if ((value & 0x10) == 0 && !c.statusLatched) {
                    c.status = (c.output(now) ? 0x80 : 0) | (c.armed ? 0 : 0x40) | (c.rwMode << 4) | (c.mode << 1) | (c.bcd ? 1 : 0);
                    c.statusLatched = true;
                }
            }
            return;
        }
        Channel c = channels[sc];
        int access = (value >> 4) & 3;
        if (access == 0) {
            c.latchCount(now);
            return;
        }
        int mode = (value >> 1) & 7;
        if (mode > 5) mode -= 4;
        c.rwMode = access;
        c.readState = access;
        c.writeState = access;
        c.mode = mode;
        c.bcd = (value & 1) != 0;
        c.armed = false;          // a control word stops the counter until a count is written
        c.countLatched = 0;
        c.statusLatched = false;
        c.edgesTaken = 0;
    }

    /** Whole input-clock ticks in {@code nanos} (no overflow for any positive long). */
    static long ticks(long nanos) {
        if (nanos <= 0) return 0;
        return (nanos / NANOS_PER_SECOND) * FREQUENCY + (nanos % NANOS_PER_SECOND) * FREQUENCY / NANOS_PER_SECOND;
    }

    /** First time (ns after the load) at which {@code ticks} whole ticks have elapsed. */
    static long nanosFor(long ticks) {
        long whole = (ticks / FREQUENCY) * NANOS_PER_SECOND;
        long rest = ticks % FREQUENCY;
        return whole + (rest * NANOS_PER_SECOND + FREQUENCY - 1) / FREQUENCY;
    }

    private static final class Channel {
        int count = 0x10000;    // 1..65536
        long loadTime;          // when counting started (count load or gate trigger)
        boolean armed;          // a count has been written since the control word
        boolean triggered;      // modes 1/5: a gate edge started the count
        int mode;
        boolean bcd;
        int rwMode = RW_WORD0;
        int readState = RW_WORD0;
        int writeState = RW_WORD0;
        int writeLatch;
        int latchedCount;
        int countLatched;       // 0 or the RW state the latched count is read in
        int status;
        boolean statusLatched;
        boolean gate;
        long edgesTaken;        // rising edges already handed out by takeRisingEdges

        Channel(boolean gate) {
            this.gate = gate;
        }

        boolean counting() {
            if (!armed) return false;
            return (mode != 1 && mode != 5) || triggered;
        }

        long elapsedTicks(long now) {
            return ticks(now - loadTime);
        }

        /** The counter, 1..65536 (65536 reads as 0 through the 16-bit port). */
        int counter(long now) {
            if (!counting()) return count;
            long d = elapsedTicks(now);
            return switch (mode) {
                case 0, 1, 4, 5 -> (int) ((count - d) & 0xFFFF);
                case 3 -> (int) (count - ((2 * d) % count));
                default -> (int) (count - (d % count));
            };
        }

        boolean output(long now) {
            if (!armed) return mode != 0;
            if (!counting()) return true;   // modes 1/5 before the trigger
            long d = elapsedTicks(now);
            return switch (mode) {
                case 0 -> d >= count;
                case 1 -> d >= count;
                case 2 -> d % count != count - 1 || count == 1;
                case 3 -> d % count < (count + 1) / 2;
                default -> d != count;      // 4, 5: one low tick at terminal count
            };
        }

        /** Rising edges of OUT between the load and now. */
        long risingEdges(long now) {
            if (!counting()) return 0;
            long d = elapsedTicks(now);
            return switch (mode) {
                case 0, 1 -> d >= count ? 1 : 0;
                case 2, 3 -> d / count;
                default -> d > count ? 1 : 0;
            };
        }

        long nextRisingEdge(long now) {
            if (!counting()) return Long.MAX_VALUE;
            long d = elapsedTicks(now);
            long edgeTick = switch (mode) {
                case 0, 1 -> d >= count ? -1 : count;
                case 2, 3 -> (d / count + 1) * count;
                default -> d > count ? -1 : count + 1L;
            };
            return edgeTick < 0 ? Long.MAX_VALUE : loadTime + nanosFor(edgeTick);
        }

        void latchCount(long now) {
            if (countLatched != 0) return;
            latchedCount = counter(now);
            countLatched = rwMode;
        }

        void setGate(boolean high, long now) {
            if (!gate && high && (mode == 1 || mode == 2 || mode == 3 || mode == 5)) {
                loadTime = now;      // rising gate restarts the count
                triggered = true;
                edgesTaken = 0;
            }
            gate = high;
        }

        void load(int value, long now) {
            count = value == 0 ? 0x10000 : value;
            loadTime = now;
            armed = true;
            triggered = false;
            edgesTaken = 0;
        }

        void writeCount(int value, long now) {
            switch (writeState) {
                case RW_MSB -> load(value << 8, now);
                case RW_WORD0 -> {
                    writeLatch = value;
                    writeState = RW_WORD1;
                }
                case RW_WORD1 -> {
                    load(writeLatch | (value << 8), now);
                    writeState = RW_WORD0;
                }
                default -> load(value, now);
            }
        }

        int read(long now) {
            if (statusLatched) {
                statusLatched = false;
                return status;
            }
            if (countLatched != 0) {
                switch (countLatched) {
                    case RW_MSB -> {
                        countLatched = 0;
                        return (latchedCount >> 8) & 0xFF;
                    }
                    case RW_WORD0 -> {
                        countLatched = RW_MSB;
                        return latchedCount & 0xFF;
                    }
                    default -> {
                        countLatched = 0;
                        return latchedCount & 0xFF;
                    }
                }
            }
            int value = counter(now);
            return switch (readState) {
                case RW_MSB -> (value >> 8) & 0xFF;
                case RW_WORD0 -> {
                    readState = RW_WORD1;
                    yield value & 0xFF;
                }
                case RW_WORD1 -> {
                    readState = RW_WORD0;
                    yield (value >> 8) & 0xFF;
                }
                default -> value & 0xFF;
            };
        }

        ChannelState save() {
            return new ChannelState(count, loadTime, armed, triggered, mode, bcd, rwMode, readState, writeState, writeLatch,
                    latchedCount, countLatched, status, statusLatched, gate, edgesTaken);
        }

        void restore(ChannelState s) {
            count = s.count();
            loadTime = s.loadTime();
            armed = s.armed();
            mode = s.mode();
            bcd = s.bcd();
            rwMode = s.rwMode();
            readState = s.readState();
            writeState = s.writeState();
            writeLatch = s.writeLatch();
            latchedCount = s.latchedCount();
            countLatched = s.countLatched();
            status = s.status();
            statusLatched = s.statusLatched();
            gate = s.gate();
            edgesTaken = s.edgesTaken();
            triggered = s.triggered();
        }
    }
}
