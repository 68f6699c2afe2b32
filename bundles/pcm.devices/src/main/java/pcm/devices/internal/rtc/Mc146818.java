package pcm.devices.internal.rtc;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.YearMonth;

/**
 * The register model of the PC's CMOS RTC (MC146818 as in the PIIX/ICH): 128 bytes of CMOS, the clock in
 * registers 0–9 and the century in 0x32, BCD or binary (register B bit 2), 24 or 12 hours (bit 1, PM in bit 7 of
 * the hour), registers A–D. Not thread-safe ({@link RtcDevice} locks around it). Time comes in as guest
 * nanoseconds; the clock reads {@code epochSeconds + guest time + whatever the guest set}, in UTC.
 * <p>
 * Interrupt flags (register C) are computed from time: the periodic flag at the rate of register A, the
 * update-ended flag at each second, the alarm flag when the alarm registers match (0xC0–0xFF is "any"). Register
 * C clears on read. Out-of-range values the guest writes into the clock are normalised (month 13 → 12, day 31 of
 * a 30-day month → 30, minute 75 → 15) instead of being kept as the chip would keep garbage.
 */
public final class Mc146818 {

    static final int SECONDS = 0, SECONDS_ALARM = 1, MINUTES = 2, MINUTES_ALARM = 3, HOURS = 4, HOURS_ALARM = 5,
            DAY_OF_WEEK = 6, DAY_OF_MONTH = 7, MONTH = 8, YEAR = 9, REG_A = 0x0A, REG_B = 0x0B, REG_C = 0x0C, REG_D = 0x0D,
            CENTURY = 0x32;
    static final int A_UIP = 0x80, B_SET = 0x80, B_PIE = 0x40, B_AIE = 0x20, B_UIE = 0x10, B_BINARY = 0x04, B_24H = 0x02;
    static final int C_IRQF = 0x80, C_PF = 0x40, C_AF = 0x20, C_UF = 0x10;
    /** The update-in-progress window before each second's update (datasheet: 244 µs). */
    static final long UIP_NANOS = 244_000;
    static final long SECOND = 1_000_000_000L;

    public record State(long epochSeconds, int index, boolean nmiDisabled, byte[] ram, long offsetNanos, long frozenSeconds,
                        long lastPeriodic, long lastSecond) {
        public State {
            ram = ram.clone();
        }
    }

    private long epochSeconds;
    private final byte[] ram = new byte[128];
    private int index;
    private boolean nmiDisabled;
    private long offsetNanos;           // what the guest's clock setting added to epoch + guest time
    private long frozenSeconds;         // the clock while SET holds it
    private long lastPeriodic;          // periodic intervals counted into register C so far
    private long lastSecond;            // seconds counted into register C so far

    /** @param epochSeconds the clock at guest time 0 (seconds since 1970, UTC) */
    public Mc146818(long epochSeconds, int baseMemoryKiB, int extendedMemoryKiB) {
        this.epochSeconds = epochSeconds;
        ram[REG_A] = 0x26;                                  // 32.768 kHz time base, 1.024 kHz periodic rate
        ram[REG_B] = B_24H;                                 // BCD, 24 hours: what a BIOS leaves
        ram[REG_D] = (byte) 0x80;                           // valid RAM and time
        ram[0x10] = 0;                                      // no floppy drives
        ram[0x14] = 0x06;                                   // equipment: VGA/EGA, FPU
        ram[0x15] = (byte) baseMemoryKiB;
        ram[0x16] = (byte) (baseMemoryKiB >> 8);
        int ext = Math.min(extendedMemoryKiB, 0xFFFF);
        ram[0x17] = ram[0x30] = (byte) ext;
        ram[0x18] = ram[0x31] = (byte) (ext >> 8);
    }

    // ---------------------------------------------------------------- ports

    /** Port 0x70: selects the register; bit 7 disables NMI. */
    public void writeIndex(int value) {
        index = value & 0x7F;
        nmiDisabled = (value & 0x80) != 0;
    }

    public boolean nmiDisabled() {
        return nmiDisabled;
    }

    /** Port 0x71 read. Reading register C clears it (the caller lowers IRQ 8). */
    public int readData(long now) {
        return switch (index) {
            case SECONDS, MINUTES, HOURS, DAY_OF_WEEK, DAY_OF_MONTH, MONTH, YEAR, CENTURY -> clockField(index, now);
            case REG_A -> ram[REG_A] & 0x7F | (updateInProgress(now) ? A_UIP : 0);
            case REG_C -> {
                int c = flags(now);
                lastPeriodic = periodicIntervals(now);
                lastSecond = wholeSeconds(now);
                yield c;
            }
            case REG_D -> 0x80;
            default -> ram[index] & 0xFF;
        };
    }

    /** Port 0x71 write. */
    public void writeData(int value, long now) {
        value &= 0xFF;
        switch (index) {
            case SECONDS, MINUTES, HOURS, DAY_OF_MONTH, MONTH, YEAR, CENTURY -> setClockField(index, value, now);
            case DAY_OF_WEEK -> { }                         // follows from the date
            case REG_A -> {
                lastPeriodic = periodicIntervals(now);       // the new rate counts from here
                ram[REG_A] = (byte) (value & 0x7F);
                lastPeriodic = periodicIntervals(now);
            }
            case REG_B -> writeB(value, now);
            case REG_C, REG_D -> { }                        // read-only
            default -> ram[index] = (byte) value;
        }
    }

    private void writeB(int value, long now) {
        boolean wasSet = (ram[REG_B] & B_SET) != 0, set = (value & B_SET) != 0;
        if (!wasSet && set) frozenSeconds = seconds(now);
        if (wasSet && !set) offsetNanos += (frozenSeconds - (epochSeconds + guestSeconds(now))) * SECOND;
        if (set) value &= ~B_UIE;                           // SET clears UIE
        ram[REG_B] = (byte) value;
    }

    // ---------------------------------------------------------------- the clock

    private long guestSeconds(long now) {
        return Math.floorDiv(now + offsetNanos, SECOND);
    }

    /** The clock in seconds since 1970 (frozen while SET). */
    long seconds(long now) {
        if ((ram[REG_B] & B_SET) != 0) return frozenSeconds;
        return epochSeconds + guestSeconds(now);
    }

    private boolean updateInProgress(long now) {
        if ((ram[REG_B] & B_SET) != 0 || (ram[REG_A] & 0x70) != 0x20) return false; // no updates
        long intoSecond = Math.floorMod(now + offsetNanos, SECOND);
        return intoSecond >= SECOND - UIP_NANOS;
    }

    private int clockField(int reg, long now) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(seconds(now), 0, ZoneOffset.UTC);
        int v = switch (reg) {
            case SECONDS -> t.getSecond();
            case MINUTES -> t.getMinute();
            case HOURS -> t.getHour();
            case DAY_OF_WEEK -> t.getDayOfWeek().getValue() % 7 + 1; // Sunday = 1
            case DAY_OF_MONTH -> t.getDayOfMonth();
            case MONTH -> t.getMonthValue();
            case YEAR -> t.getYear() % 100;
            default -> t.getYear() / 100;                   // CENTURY
        };
        if (reg == HOURS && (ram[REG_B] & B_24H) == 0) {
            boolean pm = v >= 12;
            int h12 = v % 12 == 0 ? 12 : v % 12;
            return encode(h12) | (pm ? 0x80 : 0);
        }
        return encode(v);
    }

    private void setClockField(int reg, int raw, long now) {
        LocalDateTime t = LocalDateTime.ofEpochSecond(seconds(now), 0, ZoneOffset.UTC);
        int year = t.getYear(), month = t.getMonthValue(), day = t.getDayOfMonth();
        int hour = t.getHour(), minute = t.getMinute(), second = t.getSecond();
        switch (reg) {
            case SECONDS -> second = decode(raw) % 60;
            case MINUTES -> minute = decode(raw) % 60;
            case HOURS -> hour = decodeHour(raw);
            case DAY_OF_MONTH -> day = decode(raw);
            case MONTH -> month = Math.clamp(decode(raw), 1, 12);
            case YEAR -> year = year / 100 * 100 + decode(raw) % 100;
            default -> year = decode(raw) % 100 * 100 + year % 100; // CENTURY
        }
        year = Math.clamp(year, 1970, 2199);                // what 64-bit nanoseconds of offset can hold
        day = Math.clamp(day, 1, YearMonth.of(year, month).lengthOfMonth());
        long target = LocalDateTime.of(year, month, day, hour, minute, second).toEpochSecond(ZoneOffset.UTC);
        if ((ram[REG_B] & B_SET) != 0) {
            frozenSeconds = target;
        } else {
            offsetNanos += (target - seconds(now)) * SECOND;   // keeps the fraction of the second running
            lastSecond = wholeSeconds(now);
        }
    }

    private int decodeHour(int raw) {
        if ((ram[REG_B] & B_24H) != 0) return decode(raw) % 24;
        boolean pm = (raw & 0x80) != 0;
        int h = decode(raw & 0x7F) % 12;                    // 12 AM is 0, 12 PM is 12
        return pm ? h + 12 : h;
    }

    private boolean binary() {
        return (ram[REG_B] & B_BINARY) != 0;
    }

    private int encode(int v) {
        return binary() ? v : (v / 10) << 4 | v % 10;
    }

    /** A register value as a number; a BCD digit above 9 counts as its value (0x1F is 25), as the chip's adder would. */
    private int decode(int raw) {
        return binary() ? raw : (raw >> 4) * 10 + (raw & 0xF);
    }

    // ---------------------------------------------------------------- interrupt flags

    /** The periodic rate of register A in nanoseconds, or 0 when off (rate 0 or the divider not running). */
    long periodicNanos() {
        int rate = ram[REG_A] & 0xF;
        if (rate == 0 || (ram[REG_A] & 0x70) != 0x20) return 0;
        if (rate <= 2) rate += 7;                           // rates 1 and 2 repeat 8 and 9 (256 and 128 Hz)
        return SECOND * (1L << (rate - 1)) / 32768;
    }

    private long periodicIntervals(long now) {
        long p = periodicNanos();
        return p == 0 ? 0 : Math.floorDiv(now, p);
    }

    private long wholeSeconds(long now) {
        if ((ram[REG_B] & B_SET) != 0) return lastSecond;
        return guestSeconds(now);
    }

    /** Register C as it reads now (without clearing). */
    int flags(long now) {
        int c = 0;
        if (periodicNanos() != 0 && periodicIntervals(now) > lastPeriodic) c |= C_PF;
        long s = wholeSeconds(now);
        if (s > lastSecond) {
            c |= C_UF;
            if (alarmMatchedSince(lastSecond, s, now)) c |= C_AF;
        }
        int b = ram[REG_B];
        if ((c & C_PF) != 0 && (b & B_PIE) != 0 || (c & C_AF) != 0 && (b & B_AIE) != 0 || (c & C_UF) != 0 && (b & B_UIE) != 0) {
            c |= C_IRQF;
        }
        return c;
    }

    /** Whether IRQ 8 is asserted: a flag whose interrupt is enabled is set. */
    public boolean irqAsserted(long now) {
        return (flags(now) & C_IRQF) != 0;
    }

    private boolean alarmMatchedSince(long fromSecond, long toSecond, long now) {
        long first = Math.max(fromSecond + 1, toSecond - 86_400);  // one day covers every alarm
        long base = seconds(now) - toSecond;
        for (long g = first; g <= toSecond; g++) {
            LocalDateTime t = LocalDateTime.ofEpochSecond(base + g, 0, ZoneOffset.UTC);
            if (alarmField(SECONDS_ALARM, t.getSecond()) && alarmField(MINUTES_ALARM, t.getMinute()) && alarmHour(t.getHour())) return true;
        }
        return false;
    }

    private boolean alarmField(int reg, int value) {
        int raw = ram[reg] & 0xFF;
        return raw >= 0xC0 || decode(raw) == value;
    }

    private boolean alarmHour(int hour) {
        int raw = ram[HOURS_ALARM] & 0xFF;
        return raw >= 0xC0 || decodeHour(raw) == hour;
    }

    /** Guest nanoseconds at which the next enabled interrupt flag will be set, or {@link Long#MAX_VALUE}. */
    public long nextInterrupt(long now) {
        long next = Long.MAX_VALUE;
        int b = ram[REG_B];
        long p = periodicNanos();
        if ((b & B_PIE) != 0 && p != 0) next = (Math.floorDiv(now, p) + 1) * p;
        if ((b & (B_UIE | B_AIE)) != 0 && (b & B_SET) == 0) {
            long nextSecond = (Math.floorDiv(now + offsetNanos, SECOND) + 1) * SECOND - offsetNanos;
            next = Math.min(next, nextSecond);
        }
        return next;
    }

    // ---------------------------------------------------------------- state

    public State save() {
        return new State(epochSeconds, index, nmiDisabled, ram, offsetNanos, frozenSeconds, lastPeriodic, lastSecond);
    }

    public void restore(State s) {
        if (s.ram().length != 128) throw new IllegalArgumentException("CMOS state of " + s.ram().length + " bytes, expected 128");
        epochSeconds = s.epochSeconds();
        index = s.index() & 0x7F;
        nmiDisabled = s.nmiDisabled();
        System.arraycopy(s.ram(), 0, ram, 0, 128);
        offsetNanos = s.offsetNanos();
        frozenSeconds = s.frozenSeconds();
        lastPeriodic = s.lastPeriodic();
        lastSecond = s.lastSecond();
    }

    /** Starts counting register C's flags at {@code now} (a new chip has none pending). */
    public void startAt(long now) {
        lastPeriodic = periodicIntervals(now);
        lastSecond = wholeSeconds(now);
    }
}
