package pcm.irq.internal.lapic;

import java.util.ArrayList;
import java.util.List;

import pcm.irq.api.LocalApic;

/**
 * The register model of one xAPIC (Intel SDM vol. 3A ch. 11; x2APIC and the TSC-deadline mode are not
 * advertised and not modelled). Not thread-safe: {@link LapicDevice} holds a lock around every call. Time comes
 * in as guest nanoseconds ({@code now}); the timer counts at {@link #timerHz} divided by the divide
 * configuration. Side effects for the world outside — EOIs of level-triggered vectors for the IOAPIC, and
 * whether an interrupt became deliverable — are collected and taken by the caller after it let go of its lock.
 * <p>
 * Nonsense programming gets what the hardware does: reserved bits read as their fixed value, writes to
 * read-only registers are ignored, a reserved register address sets ESR bit 7, an illegal vector (below 16)
 * sets ESR bits 5/6 and is not delivered.
 */
public final class Lapic {

    /** Version register: version 0x14 (integrated APIC), 6 LVT entries (max LVT 5), no EOI-broadcast suppression. */
    static final int VERSION = 0x0005_0014;

    static final int REG_ID = 0x020, REG_VERSION = 0x030, REG_TPR = 0x080, REG_APR = 0x090, REG_PPR = 0x0A0,
            REG_EOI = 0x0B0, REG_RRD = 0x0C0, REG_LDR = 0x0D0, REG_DFR = 0x0E0, REG_SVR = 0x0F0, REG_ISR = 0x100,
            REG_TMR = 0x180, REG_IRR = 0x200, REG_ESR = 0x280, REG_ICR_LOW = 0x300, REG_ICR_HIGH = 0x310,
            REG_LVT_TIMER = 0x320, REG_LVT_THERMAL = 0x330, REG_LVT_PERF = 0x340, REG_LVT_LINT0 = 0x350,
            REG_LVT_LINT1 = 0x360, REG_LVT_ERROR = 0x370, REG_TIMER_INITIAL = 0x380, REG_TIMER_CURRENT = 0x390,
            REG_TIMER_DIVIDE = 0x3E0;

    static final int LVT_MASKED = 1 << 16, LVT_PERIODIC = 1 << 17, SVR_ENABLED = 1 << 8;
    static final int ESR_SEND_ILLEGAL_VECTOR = 1 << 5, ESR_RECEIVE_ILLEGAL_VECTOR = 1 << 6, ESR_ILLEGAL_REGISTER = 1 << 7;

    // Indexes into lvt[]
    static final int LVT_TIMER = 0, LVT_THERMAL = 1, LVT_PERF = 2, LVT_LINT0 = 3, LVT_LINT1 = 4, LVT_ERROR = 5;
    /** The writable bits of each LVT entry (timer: vector, mask, periodic; LINTn: + mode, polarity, trigger). */
    private static final int[] LVT_WRITABLE = {0x300FF, 0x107FF, 0x107FF, 0x1A7FF, 0x1A7FF, 0x100FF};

    /** Everything {@link #save()} carries; arrays are copies. */
    public record State(int id, int tpr, int ldr, int dfr, int svr, int[] irr, int[] isr, int[] tmr, int esr, int pendingErrors,
                        int icrLow, int icrHigh, int[] lvt, int divide, long initialCount, long periodStartTick,
                        boolean timerRunning) {
        public State {
            irr = irr.clone();
            isr = isr.clone();
            tmr = tmr.clone();
            lvt = lvt.clone();
        }
    }

    private final long timerHz;

    private int id;
    private int tpr;
    private int ldr;
    private int dfr = 0xFFFF_FFFF;
    private int svr = 0xFF;
    private final int[] irr = new int[8], isr = new int[8], tmr = new int[8];
    private int esr, pendingErrors;
    private int icrLow, icrHigh;
    private final int[] lvt = new int[6];
    private int divide;                     // the register's bits 3, 1:0
    private long initialCount;              // 32-bit unsigned
    private long periodStartTick;           // timer tick at which the current count-down began at initialCount
    private boolean timerRunning;

    // effects for the caller
    private final List<Integer> eois = new ArrayList<>();
    private long selfIpis, timerInterrupts, droppedIpis;

    public Lapic(long timerHz) {
        if (timerHz <= 0) throw new IllegalArgumentException("timer frequency must be positive: " + timerHz);
        this.timerHz = timerHz;
        reset();
    }

    /** The architectural reset state (every LVT masked, APIC software-disabled). */
    public void reset() {
        id = 0;
        tpr = 0;
        ldr = 0;
        dfr = 0xFFFF_FFFF;
        svr = 0xFF;
        java.util.Arrays.fill(irr, 0);
        java.util.Arrays.fill(isr, 0);
        java.util.Arrays.fill(tmr, 0);
        esr = pendingErrors = 0;
        icrLow = icrHigh = 0;
        java.util.Arrays.fill(lvt, LVT_MASKED);
        divide = 0;
        initialCount = 0;
        timerRunning = false;
    }

    /**
     * What a PC's firmware leaves for the operating system (SeaBIOS does the same): the APIC software-enabled
     * with spurious vector 0xFF, LINT0 as ExtINT (virtual wire: the 8259's output reaches the CPU through the
     * local APIC) and LINT1 as NMI.
     */
    public void firmwareSetup() {
        svr = SVR_ENABLED | 0xFF;
        lvt[LVT_LINT0] = LocalApic.DELIVERY_EXTINT << 8;
        lvt[LVT_LINT1] = LocalApic.DELIVERY_NMI << 8;
    }

    // ---------------------------------------------------------------- registers

    /** A 32-bit register read at a 16-byte aligned offset (0x000–0x3F0). */
    public int read(int offset, long now) {
        return switch (offset) {
            case REG_ID -> id << 24;
            case REG_VERSION -> VERSION;
            case REG_TPR -> tpr;
            case REG_APR, REG_RRD -> 0;
            case REG_PPR -> ppr();
            case REG_EOI -> 0;                       // write-only: reads 0
            case REG_LDR -> ldr << 24;
            case REG_DFR -> dfr | 0x0FFF_FFFF;
            case REG_SVR -> svr;
            case REG_ESR -> esr;
            case REG_ICR_LOW -> icrLow;              // delivery status always idle: a message is delivered at once
            case REG_ICR_HIGH -> icrHigh << 24;
            case REG_LVT_TIMER -> lvt[LVT_TIMER];
            case REG_LVT_THERMAL -> lvt[LVT_THERMAL];
            case REG_LVT_PERF -> lvt[LVT_PERF];
            case REG_LVT_LINT0 -> lvt[LVT_LINT0];
            case REG_LVT_LINT1 -> lvt[LVT_LINT1];
            case REG_LVT_ERROR -> lvt[LVT_ERROR];
            case REG_TIMER_INITIAL -> (int) initialCount;
            case REG_TIMER_CURRENT -> (int) currentCount(now);
            case REG_TIMER_DIVIDE -> divide;
            default -> {
                if (offset >= REG_ISR && offset < REG_ISR + 0x80) yield isr[(offset - REG_ISR) >> 4];
                if (offset >= REG_TMR && offset < REG_TMR + 0x80) yield tmr[(offset - REG_TMR) >> 4];
                if (offset >= REG_IRR && offset < REG_IRR + 0x80) yield irr[(offset - REG_IRR) >> 4];
                illegalRegister();
                yield 0;
            }
        };
    }

    /** A 32-bit register write at a 16-byte aligned offset. */
    public void write(int offset, int value, long now) {
        switch (offset) {
            case REG_ID -> id = value >>> 24;
            case REG_TPR -> tpr = value & 0xFF;
            case REG_EOI -> eoi();
            case REG_LDR -> ldr = value >>> 24;
            case REG_DFR -> dfr = value | 0x0FFF_FFFF;
            case REG_SVR -> writeSvr(value);
            case REG_ESR -> {                        // a write latches the errors seen since the last one
                esr = pendingErrors;
                pendingErrors = 0;
            }
            case REG_ICR_LOW -> {
                icrLow = value & 0xCCFFF;
                sendIpi();
            }
            case REG_ICR_HIGH -> icrHigh = value >>> 24;
            case REG_LVT_TIMER -> writeLvt(LVT_TIMER, value);
            case REG_LVT_THERMAL -> writeLvt(LVT_THERMAL, value);
            case REG_LVT_PERF -> writeLvt(LVT_PERF, value);
            case REG_LVT_LINT0 -> writeLvt(LVT_LINT0, value);
            case REG_LVT_LINT1 -> writeLvt(LVT_LINT1, value);
            case REG_LVT_ERROR -> writeLvt(LVT_ERROR, value);
            case REG_TIMER_INITIAL -> startTimer(Integer.toUnsignedLong(value), now);
            case REG_TIMER_DIVIDE -> writeDivide(value & 0xB, now);
            case REG_VERSION, REG_APR, REG_PPR, REG_RRD, REG_TIMER_CURRENT -> { } // read-only: ignored
            default -> {
                boolean readOnlyArray = offset >= REG_ISR && offset < REG_IRR + 0x80;
                if (!readOnlyArray) illegalRegister();
            }
        }
    }

    private void writeSvr(int value) {
        svr = value & 0x1FF;
        if ((svr & SVR_ENABLED) == 0) {
            for (int i = 0; i < lvt.length; i++) lvt[i] |= LVT_MASKED; // software-disabled: every LVT masked
        }
    }

    private void writeLvt(int index, int value) {
        int v = value & LVT_WRITABLE[index];
        if (!softwareEnabled()) v |= LVT_MASKED;     // cannot be unmasked while software-disabled
        lvt[index] = v;                              // delivery status and remote IRR read 0: delivery is immediate
    }

    public boolean softwareEnabled() {
        return (svr & SVR_ENABLED) != 0;
    }

    // ---------------------------------------------------------------- priorities, acceptance, INTA, EOI

    private static int highest(int[] bits) {
        for (int i = 7; i >= 0; i--) {
            if (bits[i] != 0) return i * 32 + 31 - Integer.numberOfLeadingZeros(bits[i]);
        }
        return -1;
    }

    private static boolean test(int[] bits, int v) {
        return (bits[v >> 5] & 1 << (v & 31)) != 0;
    }

    private static void set(int[] bits, int v, boolean on) {
        if (on) bits[v >> 5] |= 1 << (v & 31);
        else bits[v >> 5] &= ~(1 << (v & 31));
    }

    /** Processor priority: the TPR, or the class of the highest in-service vector if that is higher. */
    int ppr() {
        int isrv = Math.max(0, highest(isr));
        return (tpr & 0xF0) >= (isrv & 0xF0) ? tpr : isrv & 0xF0;
    }

    /** Accepts a fixed interrupt into the IRR (a vector below 16 is an illegal vector: ESR, not delivered). */
    void accept(int vector, boolean level) {
        vector &= 0xFF;
        if (vector < 16) {
            error(ESR_RECEIVE_ILLEGAL_VECTOR);
            return;
        }
        set(irr, vector, true);
        set(tmr, vector, level);
    }

    /** The vector that would be delivered now, or -1: the highest requested one above the processor priority. */
    int deliverableVector() {
        if (!softwareEnabled()) return -1;
        int v = highest(irr);
        if (v < 0 || (v & 0xF0) <= (ppr() & 0xF0)) return -1;
        return v;
    }

    /** Whether the 8259's output is routed to the CPU (LINT0 unmasked in ExtINT mode). */
    public boolean extIntEnabled() {
        int l = lvt[LVT_LINT0];
        return (l & LVT_MASKED) == 0 && (l >> 8 & 7) == LocalApic.DELIVERY_EXTINT;
    }

    /** INTA for a vector of this APIC: moves it from IRR to ISR. -1 if none is deliverable. */
    int acknowledge() {
        int v = deliverableVector();
        if (v < 0) return -1;
        set(irr, v, false);
        set(isr, v, true);
        return v;
    }

    private void eoi() {
        int v = highest(isr);
        if (v < 0) return;                          // an EOI with nothing in service does nothing
        set(isr, v, false);
        if (test(tmr, v)) eois.add(v);              // broadcast to the IOAPICs (Remote IRR)
    }

    /** Takes the EOIs of level-triggered vectors since the last call. */
    List<Integer> takeEois() {
        if (eois.isEmpty()) return List.of();
        List<Integer> out = List.copyOf(eois);
        eois.clear();
        return out;
    }

    /** A message from the APIC bus (IOAPIC, MSI). */
    boolean deliver(int destination, boolean logical, int mode, int vector, boolean level) {
        if (!addressed(destination & 0xFF, logical)) return false;
        switch (mode) {
            case LocalApic.DELIVERY_FIXED, LocalApic.DELIVERY_LOWEST_PRIORITY -> accept(vector, level);
            default -> droppedIpis++;               // NMI/SMI/INIT/SIPI/ExtINT messages: no path into the vCPU here
        }
        return true;
    }

    private boolean addressed(int destination, boolean logical) {
        if (!logical) return destination == 0xFF || destination == id;
        if (destination == 0xFF) return true;
        boolean flat = (dfr >>> 28) == 0xF;
        if (flat) return (ldr & destination) != 0;
        return (ldr >>> 4) == (destination >>> 4) && (ldr & destination & 0xF) != 0; // cluster model
    }

    private void sendIpi() {
        int vector = icrLow & 0xFF, mode = icrLow >> 8 & 7, shorthand = icrLow >> 18 & 3;
        boolean logical = (icrLow & 1 << 11) != 0;
        boolean level = (icrLow & 1 << 15) != 0 && mode == LocalApic.DELIVERY_FIXED;
        boolean fixed = mode == LocalApic.DELIVERY_FIXED || mode == LocalApic.DELIVERY_LOWEST_PRIORITY;
        if (fixed && vector < 16) {
            error(ESR_SEND_ILLEGAL_VECTOR);
            return;
        }
        boolean toSelf = switch (shorthand) {
            case 1, 2 -> true;                      // self; all including self
            case 3 -> false;                        // all excluding self: no other CPU
            default -> addressed(icrHigh, logical);
        };
        if (!toSelf || !fixed) {
            droppedIpis++;                          // INIT/SIPI/NMI, or another CPU: this platform has one vCPU
            return;
        }
        selfIpis++;
        accept(vector, shorthand == 1 ? false : level);
    }

    private void error(int bit) {
        pendingErrors |= bit;
        int l = lvt[LVT_ERROR];
        if ((l & LVT_MASKED) == 0 && (l & 0xFF) >= 16) accept(l & 0xFF, false); // an illegal error vector: no loop
    }

    private void illegalRegister() {
        error(ESR_ILLEGAL_REGISTER);
    }

    // ---------------------------------------------------------------- timer

    /** The timer's divisor: 2, 4, ... 128, or 1 for 0b1011. */
    int divisor() {
        int code = (divide & 3) | (divide >> 1 & 4);
        return code == 7 ? 1 : 2 << code;
    }

    long tickAt(long now) {
        return now / 1_000_000_000L * timerHz + now % 1_000_000_000L * timerHz / 1_000_000_000L;
    }

    /** The first guest nanosecond at which tick {@code tick} has happened. */
    long nanosOfTick(long tick) {
        long n = tick / timerHz * 1_000_000_000L + (tick % timerHz * 1_000_000_000L + timerHz - 1) / timerHz;
        return n;
    }

    private void startTimer(long count, long now) {
        initialCount = count;
        periodStartTick = tickAt(now);
        timerRunning = count != 0;                  // writing 0 stops the timer
    }

    private void writeDivide(int value, long now) {
        if (timerRunning) {
            long current = currentCount(now);
            divide = value;
            periodStartTick = tickAt(now) - (initialCount - current) * divisor(); // the count goes on at the new rate
        } else {
            divide = value;
        }
    }

    long currentCount(long now) {
        if (!timerRunning) return 0;
        long elapsed = (tickAt(now) - periodStartTick) / divisor();
        if (elapsed < initialCount) return initialCount - elapsed;
        if ((lvt[LVT_TIMER] & LVT_PERIODIC) == 0) return 0;
        return initialCount - elapsed % initialCount;
    }

    /** Guest nanoseconds of the next timer expiry, or {@link Long#MAX_VALUE}. */
    public long nextTimerExpiry() {
        if (!timerRunning) return Long.MAX_VALUE;
        return nanosOfTick(periodStartTick + initialCount * divisor());
    }

    /**
     * Fires the timer if it expired by {@code now}: one interrupt however many periods passed (an interrupt
     * still pending in the IRR absorbs the next anyway). True if it fired.
     */
    boolean timerTick(long now) {
        if (!timerRunning) return false;
        long period = initialCount * divisor();
        long elapsedTicks = tickAt(now) - periodStartTick;
        if (elapsedTicks < period) return false;
        if ((lvt[LVT_TIMER] & LVT_PERIODIC) != 0) {
            periodStartTick += elapsedTicks / period * period;
        } else {
            timerRunning = false;
        }
        int l = lvt[LVT_TIMER];
        if ((l & LVT_MASKED) == 0) {
            timerInterrupts++;
            accept(l & 0xFF, false);
        }
        return true;
    }

    // ---------------------------------------------------------------- state

    public State save() {
        return new State(id, tpr, ldr, dfr, svr, irr, isr, tmr, esr, pendingErrors, icrLow, icrHigh, lvt, divide, initialCount,
                periodStartTick, timerRunning);
    }

    public void restore(State s) {
        id = s.id();
        tpr = s.tpr();
        ldr = s.ldr();
        dfr = s.dfr();
        svr = s.svr();
        System.arraycopy(s.irr(), 0, irr, 0, 8);
        System.arraycopy(s.isr(), 0, isr, 0, 8);
        System.arraycopy(s.tmr(), 0, tmr, 0, 8);
        esr = s.esr();
        pendingErrors = s.pendingErrors();
        icrLow = s.icrLow();
        icrHigh = s.icrHigh();
        System.arraycopy(s.lvt(), 0, lvt, 0, 6);
        divide = s.divide();
        initialCount = s.initialCount();
        periodStartTick = s.periodStartTick();
        timerRunning = s.timerRunning();
    }

    long selfIpis() { return selfIpis; }

    long timerInterrupts() { return timerInterrupts; }

    long droppedIpis() { return droppedIpis; }
}
