package pcm.devices.internal.pci;

import java.util.function.BiConsumer;

/**
 * The PCI INTx lines as wired-OR ISA IRQs: a line is asserted while any function driving it asserts. Each
 * change of a line's level goes to {@code sink} (the interrupt controller). Not thread-safe: the bridge serialises.
 */
final class IntxWiring {

    private final int[] asserted = new int[16];
    private final BiConsumer<Integer, Boolean> sink;

    IntxWiring(BiConsumer<Integer, Boolean> sink) {
        this.sink = sink;
    }

    /** One source on {@code line} went from {@code !level} to {@code level}. */
    void change(int line, boolean level) {
        if (line < 0 || line > 15) return;
        int before = asserted[line];
        asserted[line] = Math.max(0, before + (level ? 1 : -1));
        if ((before == 0) != (asserted[line] == 0)) sink.accept(line, asserted[line] != 0);
    }

    boolean level(int line) {
        return line >= 0 && line < 16 && asserted[line] != 0;
    }

    /** Tells the sink every asserted line again (a new controller learns the levels). */
    void replay() {
        for (int line = 0; line < 16; line++) if (asserted[line] != 0) sink.accept(line, true);
    }
}
