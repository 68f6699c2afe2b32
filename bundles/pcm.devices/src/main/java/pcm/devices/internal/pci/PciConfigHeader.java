package pcm.devices.internal.pci;

import java.util.List;

import pcm.devices.api.pci.PciBar;
import pcm.devices.api.pci.PciFunction;

/**
 * The type-0 configuration header of one function (PCI Local Bus 3.0, 6.1): identity from the function, the
 * writable registers here (command, BARs, cache line, latency, interrupt line); offsets 0x40-0xFF go to the
 * function. BAR registers keep only the bits a BAR of that size decodes, so writing all ones reads back the size
 * mask as sizing software expects. Not thread-safe: the bridge serialises.
 */
final class PciConfigHeader {

    static final int COMMAND_IO = 1, COMMAND_MEMORY = 1 << 1, COMMAND_BUS_MASTER = 1 << 2, COMMAND_INTX_DISABLE = 1 << 10;
    private static final int COMMAND_WRITABLE = COMMAND_IO | COMMAND_MEMORY | COMMAND_BUS_MASTER | 1 << 6 | 1 << 8 | COMMAND_INTX_DISABLE;
    private static final int STATUS_INTERRUPT = 1 << 3, STATUS_CAPABILITIES = 1 << 4;

    /** The registers that make up the saved state. */
    record State(int command, int[] bars, int cacheLineSize, int latencyTimer, int interruptLine) {
        State {
            bars = bars.clone();
        }
    }

    final PciFunction function;
    private final PciBar[] barAt = new PciBar[6];
    private final int[] bars = new int[6];
    private int command;
    private int cacheLineSize, latencyTimer, interruptLine;
    private boolean interruptAsserted;

    PciConfigHeader(PciFunction function, List<PciBar> barList) {
        this.function = function;
        for (PciBar b : barList) {
            if (barAt[b.index()] != null || (b.kind() == PciBar.Kind.MEMORY64 && barAt[b.index() + 1] != null)) {
                throw new IllegalArgumentException(function.name() + ": BAR " + b.index() + " declared twice");
            }
            barAt[b.index()] = b;
            if (b.kind() == PciBar.Kind.MEMORY64) barAt[b.index() + 1] = b;
            bars[b.index()] = typeBits(b);
        }
    }

    private static int typeBits(PciBar b) {
        return switch (b.kind()) {
            case IO -> 1;
            case MEMORY32 -> 0;
            case MEMORY64 -> 4;
        };
    }

    /** A dword of the header; {@code offset} is dword aligned. */
    int readDword(int offset) {
        return switch (offset) {
            case 0x00 -> function.vendorId() & 0xFFFF | function.deviceId() << 16;
            case 0x04 -> command | status() << 16;
            case 0x08 -> function.revisionId() & 0xFF | function.classCode() << 8;
            case 0x0C -> cacheLineSize | latencyTimer << 8;          // header type 0, single function, no BIST
            case 0x10, 0x14, 0x18, 0x1C, 0x20, 0x24 -> bars[(offset - 0x10) / 4];
            case 0x2C -> function.subsystemVendorId() & 0xFFFF | function.subsystemId() << 16;
            case 0x30 -> 0;                                           // no expansion ROM
            case 0x34 -> function.capabilitiesPointer() & 0xFC;
            case 0x3C -> interruptLine | (function.interruptPin() & 0xFF) << 8;
            default -> offset >= 0x40 ? function.readConfig(offset, 4) : 0;
        };
    }

    int read(int offset, int size) {
        if (offset >= 0x40) return function.readConfig(offset, size);
        int dword = readDword(offset & ~3);
        int shifted = dword >>> ((offset & 3) * 8);
        return size == 4 ? shifted : shifted & ((1 << (size * 8)) - 1);
    }

    void write(int offset, int size, int value) {
        if (offset >= 0x40) {
            function.writeConfig(offset, size, value);
            return;
        }
        // Merge partial writes into the dword so byte and word stores behave like the hardware's byte enables.
        int aligned = offset & ~3;
        int shift = (offset & 3) * 8;
        int mask = size == 4 ? -1 : ((1 << (size * 8)) - 1) << shift;
        int merged = readDword(aligned) & ~mask | (value << shift) & mask;
        switch (aligned) {
            case 0x04 -> command = merged & COMMAND_WRITABLE;         // status bits are read-only or write-1-to-clear of nothing
            case 0x0C -> {
                cacheLineSize = merged & 0xFF;
                latencyTimer = merged >>> 8 & 0xFF;
            }
            case 0x10, 0x14, 0x18, 0x1C, 0x20, 0x24 -> writeBar((aligned - 0x10) / 4, merged);
            case 0x3C -> interruptLine = merged & 0xFF;
            default -> { }                                            // read-only
        }
    }

    private void writeBar(int index, int value) {
        PciBar b = barAt[index];
        if (b == null) return;                                        // unimplemented BAR: reads 0
        if (b.kind() == PciBar.Kind.MEMORY64 && index == b.index() + 1) {
            long highMask = b.size() > 1L << 32 ? ~((b.size() - 1) >>> 32) : -1L;
            bars[index] = (int) (value & highMask);
            return;
        }
        int lowMask = b.kind() == PciBar.Kind.IO ? ~3 : ~15;
        int sizeMask = b.size() >= 1L << 32 ? 0 : (int) ~(b.size() - 1);
        bars[index] = value & lowMask & sizeMask | typeBits(b);
    }

    /** The base a BAR is programmed to (64 bits for MEMORY64). */
    long barBase(PciBar b) {
        long low = bars[b.index()] & (b.kind() == PciBar.Kind.IO ? ~3L : ~15L) & 0xFFFFFFFFL;
        return b.kind() == PciBar.Kind.MEMORY64 ? low | (long) bars[b.index() + 1] << 32 : low;
    }

    /** What firmware does: places a BAR. */
    void assign(PciBar b, long base) {
        if (b.kind() == PciBar.Kind.MEMORY64) {
            writeBar(b.index(), (int) base);
            writeBar(b.index() + 1, (int) (base >>> 32));
        } else {
            writeBar(b.index(), (int) base);
        }
    }

    boolean decodes(PciBar b) {
        return (command & (b.isMemory() ? COMMAND_MEMORY : COMMAND_IO)) != 0;
    }

    int command() { return command; }

    void setCommand(int value) { command = value & COMMAND_WRITABLE; }

    void setInterruptLine(int line) { interruptLine = line & 0xFF; }

    int interruptLine() { return interruptLine; }

    void setInterruptAsserted(boolean asserted) { interruptAsserted = asserted; }

    boolean interruptAsserted() { return interruptAsserted; }

    /** True if the pin is asserted and not masked by Interrupt Disable: what reaches the wire. */
    boolean interruptOutput() { return interruptAsserted && (command & COMMAND_INTX_DISABLE) == 0; }

    private int status() {
        return (interruptAsserted ? STATUS_INTERRUPT : 0) | (function.capabilitiesPointer() != 0 ? STATUS_CAPABILITIES : 0);
    }

    State save() {
        return new State(command, bars, cacheLineSize, latencyTimer, interruptLine);
    }

    void restore(State s) {
        command = s.command() & COMMAND_WRITABLE;
        for (int i = 0; i < 6; i++) if (barAt[i] != null) bars[i] = s.bars()[i];
        cacheLineSize = s.cacheLineSize();
        latencyTimer = s.latencyTimer();
        interruptLine = s.interruptLine();
    }
}
