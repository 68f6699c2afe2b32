package pcm.devices.uart.internal;

import java.util.Arrays;

/**
 * Register model of a 16550A UART (8 byte-wide registers at offsets 0–7). It knows nothing of
 * buses or threads: transmitted bytes go to an {@link Output}, the interrupt output to an
 * {@link IrqLine} (called only when its level changes), host input arrives through
 * {@link #receive}. Not thread safe; {@link UartDevice} serialises access.
 * <p>
 * Transmission is instantaneous (THR and the transmitter are always empty again after a write).
 * Interrupt sources in priority order: receiver line status, received data (or character timeout
 * below the FIFO trigger level, reported at once rather than after four character times),
 * transmitter holding register empty, modem status. As on PC serial cards, the interrupt output
 * reaches the IRQ line only while MCR.OUT2 is set.
 */
public final class Uart16550 {

    /** Where transmitted bytes go (the console). */
    @FunctionalInterface
    public interface Output {
        void write(byte b);
    }

    /** The interrupt output pin; called on level changes only. */
    @FunctionalInterface
    public interface IrqLine {
        void set(boolean high);
    }

    // register offsets
    public static final int RBR_THR_DLL = 0;
    public static final int IER_DLM = 1;
    public static final int IIR_FCR = 2;
    public static final int LCR = 3;
    public static final int MCR = 4;
    public static final int LSR = 5;
    public static final int MSR = 6;
    public static final int SCR = 7;

    // IER
    public static final int IER_RDA = 0x01;
    public static final int IER_THRE = 0x02;
    public static final int IER_RLS = 0x04;
    public static final int IER_MS = 0x08;
    // IIR
    public static final int IIR_NONE = 0x01;
    public static final int IIR_MS = 0x00;
    public static final int IIR_THRE = 0x02;
    public static final int IIR_RDA = 0x04;
    public static final int IIR_RLS = 0x06;
    public static final int IIR_TIMEOUT = 0x0C;
    public static final int IIR_FIFO_ENABLED = 0xC0;
    // FCR
    public static final int FCR_ENABLE = 0x01;
    public static final int FCR_CLEAR_RX = 0x02;
    public static final int FCR_CLEAR_TX = 0x04;
    // LCR
    public static final int LCR_DLAB = 0x80;
    // MCR
    public static final int MCR_DTR = 0x01;
    public static final int MCR_RTS = 0x02;
    public static final int MCR_OUT1 = 0x04;
    public static final int MCR_OUT2 = 0x08;
    public static final int MCR_LOOP = 0x10;
    // LSR
    public static final int LSR_DR = 0x01;
    public static final int LSR_OE = 0x02;
    public static final int LSR_PE = 0x04;
    public static final int LSR_FE = 0x08;
    public static final int LSR_BI = 0x10;
    public static final int LSR_THRE = 0x20;
    public static final int LSR_TEMT = 0x40;
    public static final int LSR_FIFO_ERROR = 0x80;
    private static final int LSR_ERRORS = LSR_OE | LSR_PE | LSR_FE | LSR_BI;
    // MSR
    public static final int MSR_DCTS = 0x01;
    public static final int MSR_DDSR = 0x02;
    public static final int MSR_TERI = 0x04;
    public static final int MSR_DDCD = 0x08;
    public static final int MSR_CTS = 0x10;
    public static final int MSR_DSR = 0x20;
    public static final int MSR_RI = 0x40;
    public static final int MSR_DCD = 0x80;
    /** Lines a console on the other end asserts: clear to send, data set ready, carrier detect. */
    private static final int MSR_HOST_LINES = MSR_CTS | MSR_DSR | MSR_DCD;

    /** FIFO depth of the 16550A. */
    public static final int FIFO_SIZE = 16;
    private static final int[] TRIGGER_LEVELS = {1, 4, 8, 14};

    /** Saved state; {@code rxFifo} holds the received bytes not yet read, oldest first. */
    public record State(int dll, int dlm, int ier, int lcr, int mcr, int lsr, int msr, int scr,
                        int fcr, boolean thrInterrupt, byte[] rxFifo) {
        public State {
            rxFifo = rxFifo.clone();
        }

        @Override
        public byte[] rxFifo() {
            return rxFifo.clone();
        }
    }

    private final Output output;
    private final IrqLine irqLine;

    private int dll = 0x0C;          // 9600 baud
    private int dlm;
    private int ier;
    private int lcr;
    private int mcr;
    private int lsr = LSR_THRE | LSR_TEMT;
    private int msr = MSR_HOST_LINES;
    private int scr;
    private int fcr;                 // the FIFO enable bit and the trigger level bits
    private boolean thrInterrupt;    // THR-empty interrupt pending (cleared by an IIR read or a THR write)
    private final byte[] rx = new byte[FIFO_SIZE];
    private int rxHead;
    private int rxCount;
    private boolean irqLevel;

    public Uart16550(Output output, IrqLine irqLine) {
        this.output = output;
        this.irqLine = irqLine;
    }

    public int read(int offset) {
        int value = switch (offset & 7) {
            case RBR_THR_DLL -> dlab() ? dll : readRbr();
            case IER_DLM -> dlab() ? dlm : ier;
            case IIR_FCR -> readIir();
            case LCR -> lcr;
            case MCR -> mcr;
            case LSR -> readLsr();
            case MSR -> readMsr();
            default -> scr;
        };
        updateIrq();
        return value & 0xFF;
    }

    public void write(int offset, int value) {
        value &= 0xFF;
        switch (offset & 7) {
            case RBR_THR_DLL -> {
                if (dlab()) dll = value;
                else writeThr((byte) value);
            }
            case IER_DLM -> {
                if (dlab()) {
                    dlm = value;
                } else {
                    int old = ier;
                    ier = value & 0x0F;
                    // enabling the THRE interrupt while THR is empty raises it at once
                    if ((ier & IER_THRE) != 0 && (old & IER_THRE) == 0 && (lsr & LSR_THRE) != 0) thrInterrupt = true;
                }
            }
            case IIR_FCR -> writeFcr(value);
            case LCR -> lcr = value;
            case MCR -> writeMcr(value & 0x1F);
            case LSR, MSR -> { }     // factory test registers: writes ignored
            default -> scr = value;
        }
        updateIrq();
    }

    /**
     * Host input: puts as many bytes as the receive FIFO has room for and returns how many it
     * took; the caller keeps the rest (flow control instead of overruns).
     */
    public int receive(byte[] bytes, int offset, int length) {
        int taken = 0;
        while (taken < length && rxCount < capacity()) {
            push(bytes[offset + taken++]);
        }
        if (taken > 0) updateIrq();
        return taken;
    }

    public int receive(byte[] bytes) {
        return receive(bytes, 0, bytes.length);
    }

    /** Room left in the receive FIFO. */
    public int receiveSpace() {
        return capacity() - rxCount;
    }

    /** Level of the IRQ line as last driven. */
    public boolean irqLevel() {
        return irqLevel;
    }

    public State save() {
        byte[] fifo = new byte[rxCount];
        for (int i = 0; i < rxCount; i++) fifo[i] = rx[(rxHead + i) % FIFO_SIZE];
        return new State(dll, dlm, ier, lcr, mcr, lsr, msr, scr, fcr, thrInterrupt, fifo);
    }

    /** Restores registers and FIFO and drives the IRQ line to the restored level. */
    public void restore(State s) {
        dll = s.dll() & 0xFF;
        dlm = s.dlm() & 0xFF;
        ier = s.ier() & 0x0F;
        lcr = s.lcr() & 0xFF;
        mcr = s.mcr() & 0x1F;
        lsr = s.lsr() & 0xFF;
        msr = s.msr() & 0xFF;
        scr = s.scr() & 0xFF;
        fcr = s.fcr() & 0xC1;
        thrInterrupt = s.thrInterrupt();
        byte[] fifo = s.rxFifo();
        Arrays.fill(rx, (byte) 0);
        rxHead = 0;
        rxCount = Math.min(fifo.length, FIFO_SIZE);
        System.arraycopy(fifo, 0, rx, 0, rxCount);
        irqLevel = !irqPinActive();   // force the callback
        updateIrq();
    }

    private boolean dlab() {
        return (lcr & LCR_DLAB) != 0;
    }

    private boolean fifoEnabled() {
        return (fcr & FCR_ENABLE) != 0;
    }

    private int capacity() {
        return fifoEnabled() ? FIFO_SIZE : 1;
    }

    private int triggerLevel() {
        return fifoEnabled() ? TRIGGER_LEVELS[(fcr >> 6) & 3] : 1;
    }

    private void push(byte b) {
        rx[(rxHead + rxCount) % FIFO_SIZE] = b;
        rxCount++;
        lsr |= LSR_DR;
    }

    private int readRbr() {
        if (rxCount == 0) return 0;
        int b = rx[rxHead] & 0xFF;
        rxHead = (rxHead + 1) % FIFO_SIZE;
        rxCount--;
        if (rxCount == 0) lsr &= ~LSR_DR;
        return b;
    }

    private void writeThr(byte b) {
        thrInterrupt = false;
        if ((mcr & MCR_LOOP) != 0) {
            if (rxCount < capacity()) push(b);
            else lsr |= LSR_OE;      // the shift register overwrote a character nobody read
        } else {
            output.write(b);
        }
        // transmission is instantaneous: THR and the shift register are empty again
        lsr |= LSR_THRE | LSR_TEMT;
        if ((ier & IER_THRE) != 0) thrInterrupt = true;
    }

    private void writeFcr(int value) {
        boolean wasEnabled = fifoEnabled();
        boolean enable = (value & FCR_ENABLE) != 0;
        if ((value & FCR_CLEAR_RX) != 0 || enable != wasEnabled) {
            rxHead = 0;
            rxCount = 0;
            lsr &= ~(LSR_DR | LSR_FIFO_ERROR);
        }
        // FCR_CLEAR_TX: the transmit FIFO is always empty
        fcr = value & (FCR_ENABLE | 0xC0);
    }

    private void writeMcr(int value) {
        int old = mcr;
        mcr = value;
        if (((old ^ value) & MCR_LOOP) != 0 || (value & MCR_LOOP) != 0) updateModemStatus();
    }

    /** Recomputes the MSR line bits (loopback wires MCR to MSR) and sets the delta bits. */
    private void updateModemStatus() {
        int lines;
        if ((mcr & MCR_LOOP) != 0) {
            lines = ((mcr & MCR_RTS) != 0 ? MSR_CTS : 0)
                  | ((mcr & MCR_DTR) != 0 ? MSR_DSR : 0)
                  | ((mcr & MCR_OUT1) != 0 ? MSR_RI : 0)
                  | ((mcr & MCR_OUT2) != 0 ? MSR_DCD : 0);
        } else {
            lines = MSR_HOST_LINES;
        }
        int old = msr & 0xF0;
        int changed = old ^ lines;
        int delta = msr & 0x0F;
        if ((changed & MSR_CTS) != 0) delta |= MSR_DCTS;
        if ((changed & MSR_DSR) != 0) delta |= MSR_DDSR;
        if ((changed & MSR_DCD) != 0) delta |= MSR_DDCD;
        if ((old & MSR_RI) != 0 && (lines & MSR_RI) == 0) delta |= MSR_TERI;   // trailing edge of RI
        msr = lines | delta;
    }

    private int readLsr() {
        int value = lsr;
        lsr &= ~(LSR_ERRORS | LSR_FIFO_ERROR);
        return value;
    }

    private int readMsr() {
        int value = msr;
        msr &= 0xF0;
        return value;
    }

    private int readIir() {
        int id = interruptId();
        if (id == IIR_THRE) thrInterrupt = false;   // reading IIR acknowledges THR empty
        return id | (fifoEnabled() ? IIR_FIFO_ENABLED : 0);
    }

    /** The highest-priority pending, enabled interrupt source (IIR bits 0–3). */
    private int interruptId() {
        if ((ier & IER_RLS) != 0 && (lsr & LSR_ERRORS) != 0) return IIR_RLS;
        if ((ier & IER_RDA) != 0 && rxCount > 0) return rxCount >= triggerLevel() ? IIR_RDA : IIR_TIMEOUT;
        if ((ier & IER_THRE) != 0 && thrInterrupt) return IIR_THRE;
        if ((ier & IER_MS) != 0 && (msr & 0x0F) != 0) return IIR_MS;
        return IIR_NONE;
    }

    private boolean irqPinActive() {
        return interruptId() != IIR_NONE && (mcr & MCR_OUT2) != 0;
    }

    private void updateIrq() {
        boolean level = irqPinActive();
        if (level != irqLevel) {
            irqLevel = level;
            irqLine.set(level);
        }
    }
}
