package pcm.devices.internal.i8042;

import java.util.ArrayDeque;
import java.util.List;

/**
 * Register model of the PC keyboard controller as far as a guest without a keyboard needs it:
 * the status register, the controller command byte, self tests, the output port (whose bit 0 is
 * the CPU reset line) and the pulse-reset command 0xFE. There is no keyboard or mouse behind it;
 * bytes for the keyboard are acknowledged (0xFA) so drivers that probe do not hang. Not thread
 * safe; {@link I8042Device} serialises access.
 */
public final class I8042 {

    /** Asserted when the guest pulls the CPU reset line. */
    @FunctionalInterface
    public interface ResetLine {
        void reset(String why);
    }

    /** Register offsets as the device maps them: 0 = data port 0x60, 4 = command/status port 0x64. */
    public static final int DATA = 0;
    public static final int COMMAND = 4;

    // status register
    public static final int STATUS_OBF = 0x01;
    public static final int STATUS_IBF = 0x02;
    public static final int STATUS_SYS = 0x04;
    public static final int STATUS_A2 = 0x08;       // last write went to the command port
    public static final int STATUS_UNLOCKED = 0x10; // keyboard not inhibited

    // controller command byte
    public static final int CCB_KBD_INT = 0x01;
    public static final int CCB_SYS = 0x04;
    public static final int CCB_KBD_DISABLE = 0x10;
    public static final int CCB_AUX_DISABLE = 0x20;
    public static final int CCB_TRANSLATE = 0x40;

    // commands
    public static final int CMD_READ_CCB = 0x20;
    public static final int CMD_WRITE_CCB = 0x60;
    public static final int CMD_DISABLE_AUX = 0xA7;
    public static final int CMD_ENABLE_AUX = 0xA8;
    public static final int CMD_SELF_TEST = 0xAA;
    public static final int CMD_KBD_TEST = 0xAB;
    public static final int CMD_DISABLE_KBD = 0xAD;
    public static final int CMD_ENABLE_KBD = 0xAE;
    public static final int CMD_READ_OUTPUT_PORT = 0xD0;
    public static final int CMD_WRITE_OUTPUT_PORT = 0xD1;
    public static final int CMD_PULSE_RESET = 0xFE;

    public static final int SELF_TEST_OK = 0x55;
    public static final int KBD_ACK = 0xFA;
    /** Output port: bit 0 = CPU reset line (active low), bit 1 = A20 gate. */
    public static final int OUTPUT_PORT_RESET = 0x01;
    public static final int OUTPUT_PORT_A20 = 0x02;

    /** Saved state; {@code output} holds the bytes waiting for the guest, oldest first. */
    public record State(int commandByte, int outputPort, int pendingCommand, boolean lastWriteCommand,
                        List<Integer> output) {
        public State {
            output = List.copyOf(output);
        }
    }

    private final ResetLine resetLine;
    private int commandByte = CCB_KBD_INT | CCB_SYS | CCB_TRANSLATE;
    private int outputPort = OUTPUT_PORT_RESET | OUTPUT_PORT_A20;
    private int pendingCommand;          // a command waiting for its data byte on port 0x60, or 0
    private boolean lastWriteCommand;
    private final ArrayDeque<Integer> output = new ArrayDeque<>();
    private int lastRead;
    private long unhandledCommands;

    public I8042(ResetLine resetLine) {
        this.resetLine = resetLine;
    }

    public int read(int offset) {
        if (offset == COMMAND) return status();
        if (offset != DATA) return 0xFF;
        Integer b = output.poll();
        if (b != null) lastRead = b;
        return lastRead;
    }

    public void write(int offset, int value) {
        value &= 0xFF;
        if (offset == COMMAND) {
            lastWriteCommand = true;
            command(value);
        } else if (offset == DATA) {
            lastWriteCommand = false;
            data(value);
        }
    }

    public int status() {
        return (output.isEmpty() ? 0 : STATUS_OBF)
             | ((commandByte & CCB_SYS) != 0 ? STATUS_SYS : 0)
             | (lastWriteCommand ? STATUS_A2 : 0)
             | STATUS_UNLOCKED;
    }

    /** Commands the model accepted without acting on them (for the shell). */
    public long unhandledCommands() {
        return unhandledCommands;
    }

    public State save() {
        return new State(commandByte, outputPort, pendingCommand, lastWriteCommand, List.copyOf(output));
    }

    public void restore(State s) {
        commandByte = s.commandByte() & 0xFF;
        outputPort = s.outputPort() & 0xFF;
        pendingCommand = s.pendingCommand() & 0xFF;
        lastWriteCommand = s.lastWriteCommand();
        output.clear();
        for (int b : s.output()) output.add(b & 0xFF);
    }

    private void command(int cmd) {
        pendingCommand = 0;
        switch (cmd) {
            case CMD_READ_CCB -> output.add(commandByte);
            case CMD_WRITE_CCB, CMD_WRITE_OUTPUT_PORT -> pendingCommand = cmd;
            case CMD_DISABLE_AUX -> commandByte |= CCB_AUX_DISABLE;
            case CMD_ENABLE_AUX -> commandByte &= ~CCB_AUX_DISABLE;
            case CMD_SELF_TEST -> {
                commandByte |= CCB_SYS;
                output.add(SELF_TEST_OK);
            }
            case CMD_KBD_TEST -> output.add(0x00);
            case CMD_DISABLE_KBD -> commandByte |= CCB_KBD_DISABLE;
            case CMD_ENABLE_KBD -> commandByte &= ~CCB_KBD_DISABLE;
            case CMD_READ_OUTPUT_PORT -> output.add(outputPort);
            default -> {
                if (cmd >= 0xF0) {
                    // pulse output port bits whose command bit is 0; bit 0 is the reset line
                    if ((cmd & 0x01) == 0) resetLine.reset("i8042 reset");
                } else {
                    unhandledCommands++;
                }
            }
        }
    }

    private void data(int value) {
        int cmd = pendingCommand;
        pendingCommand = 0;
        switch (cmd) {
            case CMD_WRITE_CCB -> commandByte = value;
            case CMD_WRITE_OUTPUT_PORT -> {
                outputPort = value;
                if ((value & OUTPUT_PORT_RESET) == 0) resetLine.reset("i8042 output port reset");
            }
            default -> keyboard(value);
        }
    }

    /** A byte for the (absent) keyboard: acknowledge, and answer reset and identify. */
    private void keyboard(int value) {
        output.add(KBD_ACK);
        switch (value) {
            case 0xFF -> output.add(0xAA);     // reset: self test passed
            case 0xF2 -> {                     // identify: MF2 keyboard
                output.add(0xAB);
                output.add(0x83);
            }
            default -> { }
        }
        while (output.size() > 16) output.poll();
    }
}
