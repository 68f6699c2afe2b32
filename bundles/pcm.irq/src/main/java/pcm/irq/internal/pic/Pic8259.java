package pcm.irq.internal.pic;

/**
 * Register model of the PC's cascaded 8259A pair: the master serves IRQ 0–7, the slave IRQ 8–15
 * and its INT output drives the master's IRQ 2 input. No threads, no buses, no locks: the caller
 * serialises access (see {@link PicController}).
 * <p>
 * Supported: ICW1–ICW4 initialisation, OCW1 (IMR), OCW2 (non-specific / specific EOI, rotate on
 * EOI, set priority, rotate in auto-EOI mode), OCW3 (read IRR/ISR, poll, special mask), edge and
 * level triggering (ELCR ports 0x4D0/0x4D1, or ICW1.LTIM for a whole chip), auto-EOI, special
 * fully nested mode, rotating priorities, and the spurious IRQ 7 / IRQ 15 of the INTA cycle.
 * Not modelled: single mode without a slave is accepted but the cascade stays wired; buffered
 * mode and MCS-80/85 call addresses are ignored as they do not change what the CPU sees.
 */
public final class Pic8259 {

    /** Which chip of the pair a register access addresses. */
    public enum Unit { MASTER, SLAVE }

    /** The cascade input of the master. */
    public static final int CASCADE_LINE = 2;

    /** Saved state of one chip; every field is the raw register or flag. */
    public record ChipState(int lastIrr, int irr, int imr, int isr, int priorityAdd, int irqBase,
                            boolean readIsr, boolean poll, boolean specialMask, int initState,
                            boolean autoEoi, boolean rotateOnAutoEoi, boolean specialFullyNested,
                            boolean init4, boolean singleMode, boolean levelTriggeredAll, int elcr) {}

    /** Saved state of the pair. */
    public record State(ChipState master, ChipState slave) {}

    private final Chip master = new Chip(0xF8);   // IRQ 0, 1, 2 are always edge triggered
    private final Chip slave = new Chip(0xDE);    // IRQ 8 and 13 are always edge triggered
    private boolean lastSpurious;

    /** Sets the level of IRQ line 0–15. */
    public void setIrq(int line, boolean high) {
        if (line < 0 || line > 15) throw new IllegalArgumentException("IRQ line out of range: " + line);
        if (line < 8) {
            master.setInput(line, high);
        } else {
            slave.setInput(line - 8, high);
            updateCascade();
        }
    }

    /** The master's INT output: an interrupt is waiting for an INTA cycle. */
    public boolean interruptPending() {
        return master.highestRequest() >= 0;
    }

    /**
     * The INTA cycle: returns the vector the CPU receives and moves the request to in-service.
     * As on hardware, an INTA with no valid request yields the spurious vector of IRQ 7 (master
     * base + 7, no ISR bit set); a cascade request whose slave request vanished yields IRQ 15
     * (slave base + 7, master ISR bit 2 set, slave ISR unchanged).
     */
    public int acknowledge() {
        lastSpurious = false;
        int irq = master.highestRequest();
        if (irq < 0) {
            lastSpurious = true;
            return master.irqBase + 7;
        }
        int vector;
        if (irq == CASCADE_LINE) {
            int slaveIrq = slave.highestRequest();
            if (slaveIrq >= 0) {
                slave.intack(slaveIrq);
                vector = slave.irqBase + slaveIrq;
            } else {
                lastSpurious = true;
                vector = slave.irqBase + 7;
            }
            updateCascade();
        } else {
            vector = master.irqBase + irq;
        }
        master.intack(irq);
        return vector;
    }

    /** True if the last {@link #acknowledge()} delivered a spurious vector. */
    public boolean lastAcknowledgeSpurious() {
        return lastSpurious;
    }

    /** A read of port A0 = 0 (0x20/0xA0) or A0 = 1 (0x21/0xA1). */
    public int read(Unit unit, int a0) {
        Chip chip = chip(unit);
        if (chip.poll) {
            chip.poll = false;
            int irq = chip.highestRequest();
            if (irq < 0) return 0;
            chip.intack(irq);
            if (unit == Unit.SLAVE) updateCascade();
            return 0x80 | irq;
        }
        if ((a0 & 1) == 0) return chip.readIsr ? chip.isr : chip.irr;
        return chip.imr;
    }

    /** A write of port A0 = 0 (ICW1, OCW2, OCW3) or A0 = 1 (ICW2–4, OCW1). */
    public void write(Unit unit, int a0, int value) {
        chip(unit).write(a0 & 1, value & 0xFF);
        if (unit == Unit.SLAVE) updateCascade();
    }

    /** Edge/level control register (port 0x4D0 for the master, 0x4D1 for the slave). */
    public int readElcr(Unit unit) {
        return chip(unit).elcr;
    }

    public void writeElcr(Unit unit, int value) {
        Chip chip = chip(unit);
        chip.elcr = value & chip.elcrMask;
        if (unit == Unit.SLAVE) updateCascade();
    }

    /** The vector base programmed by ICW2 (for logs and tests). */
    public int vectorBase(Unit unit) {
        return chip(unit).irqBase;
    }

    public State save() {
        return new State(master.save(), slave.save());
    }

    public void restore(State state) {
        master.restore(state.master());
        slave.restore(state.slave());
    }

    private Chip chip(Unit unit) {
        return unit == Unit.MASTER ? master : slave;
    }

    private void updateCascade() {
        master.setInput(CASCADE_LINE, slave.highestRequest() >= 0);
    }

    /** One 8259A. Bit i of each register is input IRi. */
    private final class Chip {
        final int elcrMask;
        int lastIrr;        // input levels as last seen, for edge detection
        int irr;
        int imr;
        int isr;
        int priorityAdd;    // the IR with the highest priority
        int irqBase;
        boolean readIsr;
        boolean poll;
        boolean specialMask;
        int initState;      // 0 = operational, 1..3 = expecting ICW2..ICW4
        boolean autoEoi;
        boolean rotateOnAutoEoi;
        boolean specialFullyNested;
        boolean init4;
        boolean singleMode;
        boolean levelTriggeredAll;
        int elcr;

        Chip(int elcrMask) {
            this.elcrMask = elcrMask;
        }

        int levelMask() {
            return levelTriggeredAll ? 0xFF : elcr;
        }

        void setInput(int ir, boolean high) {
            int mask = 1 << ir;
            if ((levelMask() & mask) != 0) {
                if (high) { irr |= mask; lastIrr |= mask; }
                else { irr &= ~mask; lastIrr &= ~mask; }
            } else {
                if (high) {
                    if ((lastIrr & mask) == 0) irr |= mask;
                    lastIrr |= mask;
                } else {
                    lastIrr &= ~mask;
                }
            }
        }

        /** Priority 0 (highest) .. 7 of the best bit in mask, 8 if mask is empty. */
        int priority(int mask) {
            if (mask == 0) return 8;
            int p = 0;
            while ((mask & (1 << ((p + priorityAdd) & 7))) == 0) p++;
            return p;
        }

        /** The IR that would be delivered now, or -1. */
        int highestRequest() {
            int p = priority(irr & ~imr);
            if (p == 8) return -1;
            int inService = isr;
            if (specialMask) inService &= ~imr;
            if (specialFullyNested && this == master) inService &= ~(1 << CASCADE_LINE);
            return p < priority(inService) ? (p + priorityAdd) & 7 : -1;
        }

        void intack(int ir) {
            int mask = 1 << ir;
            if (autoEoi) {
                if (rotateOnAutoEoi) priorityAdd = (ir + 1) & 7;
            } else {
                isr |= mask;
            }
            if ((levelMask() & mask) == 0) irr &= ~mask;   // a level request stays while the line is high
        }

        void write(int a0, int v) {
            if (a0 == 0) {
                if ((v & 0x10) != 0) icw1(v);
                else if ((v & 0x08) != 0) ocw3(v);
                else ocw2(v);
                return;
            }
            switch (initState) {
                case 0 -> imr = v;
                case 1 -> {
                    irqBase = v & 0xF8;
                    initState = singleMode ? (init4 ? 3 : 0) : 2;
                }
                case 2 -> initState = init4 ? 3 : 0;   // ICW3: cascade wiring is fixed on a PC
                default -> {
                    specialFullyNested = (v & 0x10) != 0;
                    autoEoi = (v & 0x02) != 0;
                    initState = 0;
                }
            }
        }

        private void icw1(int v) {
            lastIrr = 0;
            irr &= levelMask();
            imr = 0;
            isr = 0;
            priorityAdd = 0;
            irqBase = 0;
            readIsr = false;
            poll = false;
            specialMask = false;
            autoEoi = false;
            rotateOnAutoEoi = false;
            specialFullyNested = false;
            init4 = (v & 0x01) != 0;
            singleMode = (v & 0x02) != 0;
            levelTriggeredAll = (v & 0x08) != 0;
            initState = 1;
        }

        private void ocw3(int v) {
            if ((v & 0x04) != 0) poll = true;
            if ((v & 0x02) != 0) readIsr = (v & 0x01) != 0;
            if ((v & 0x40) != 0) specialMask = (v & 0x20) != 0;
        }

        private void ocw2(int v) {
            int cmd = v >> 5;
            switch (cmd) {
                case 0, 4 -> rotateOnAutoEoi = cmd == 4;
                case 1, 5 -> {   // non-specific EOI (5: and rotate)
                    int inService = specialMask ? isr & ~imr : isr;
                    int p = priority(inService);
                    if (p != 8) {
                        int ir = (p + priorityAdd) & 7;
                        isr &= ~(1 << ir);
                        if (cmd == 5) priorityAdd = (ir + 1) & 7;
                    }
                }
                case 3 -> isr &= ~(1 << (v & 7));                       // specific EOI
                case 6 -> priorityAdd = ((v & 7) + 1) & 7;               // set priority
                case 7 -> {                                              // specific EOI and rotate
                    isr &= ~(1 << (v & 7));
                    priorityAdd = ((v & 7) + 1) & 7;
                }
                default -> { }                                           // 2: no operation
            }
        }

        ChipState save() {
            return new ChipState(lastIrr, irr, imr, isr, priorityAdd, irqBase, readIsr, poll, specialMask,
                    initState, autoEoi, rotateOnAutoEoi, specialFullyNested, init4, singleMode,
                    levelTriggeredAll, elcr);
        }

        void restore(ChipState s) {
            lastIrr = s.lastIrr() & 0xFF;
            irr = s.irr() & 0xFF;
            imr = s.imr() & 0xFF;
            isr = s.isr() & 0xFF;
            priorityAdd = s.priorityAdd() & 7;
            irqBase = s.irqBase() & 0xF8;
            readIsr = s.readIsr();
            poll = s.poll();
            specialMask = s.specialMask();
            initState = s.initState();
            autoEoi = s.autoEoi();
            rotateOnAutoEoi = s.rotateOnAutoEoi();
            specialFullyNested = s.specialFullyNested();
            init4 = s.init4();
            singleMode = s.singleMode();
            levelTriggeredAll = s.levelTriggeredAll();
            elcr = s.elcr() & elcrMask;
        }
    }
}
