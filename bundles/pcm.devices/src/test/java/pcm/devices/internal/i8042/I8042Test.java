package pcm.devices.internal.i8042;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pcm.devices.internal.i8042.I8042.*;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import pcm.core.api.bus.IoRange;
import pcm.devices.internal.FakePlatform;

class I8042Test {

    private final List<String> resets = new ArrayList<>();
    private final I8042 kbc = new I8042(resets::add);

    @Test
    void statusIsSaneAfterReset() {
        int status = kbc.read(COMMAND);
        assertEquals(0, status & (STATUS_OBF | STATUS_IBF), "buffers empty");
        assertEquals(STATUS_SYS, status & STATUS_SYS);
    }

    @Test
    void commandFeResets() {
        kbc.write(COMMAND, CMD_PULSE_RESET);
        assertEquals(List.of("i8042 reset"), resets);
    }

    @Test
    void pulseCommandsWithoutBit0DoNotReset() {
        kbc.write(COMMAND, 0xFF);
        kbc.write(COMMAND, 0xFD);
        assertTrue(resets.isEmpty());
    }

    @Test
    void selfTestAnswers55() {
        kbc.write(COMMAND, CMD_SELF_TEST);
        assertEquals(STATUS_OBF, kbc.read(COMMAND) & STATUS_OBF);
        assertEquals(SELF_TEST_OK, kbc.read(DATA));
        assertEquals(0, kbc.read(COMMAND) & STATUS_OBF);
    }

    @Test
    void commandByteReadAndWrite() {
        kbc.write(COMMAND, CMD_READ_CCB);
        assertEquals(CCB_KBD_INT | CCB_SYS | CCB_TRANSLATE, kbc.read(DATA));
        kbc.write(COMMAND, CMD_WRITE_CCB);
        assertEquals(STATUS_A2, kbc.read(COMMAND) & STATUS_A2);
        kbc.write(DATA, 0x30);
        assertEquals(0, kbc.read(COMMAND) & (STATUS_A2 | STATUS_SYS), "SYS follows the command byte");
        kbc.write(COMMAND, CMD_READ_CCB);
        assertEquals(0x30, kbc.read(DATA));
    }

    @Test
    void outputPortWriteWithBit0ClearResets() {
        kbc.write(COMMAND, CMD_WRITE_OUTPUT_PORT);
        kbc.write(DATA, 0x03);
        assertTrue(resets.isEmpty());
        kbc.write(COMMAND, CMD_READ_OUTPUT_PORT);
        assertEquals(0x03, kbc.read(DATA));
        kbc.write(COMMAND, CMD_WRITE_OUTPUT_PORT);
        kbc.write(DATA, 0x02);
        assertEquals(1, resets.size());
    }

    @Test
    void keyboardBytesAreAcknowledged() {
        kbc.write(DATA, 0xFF);
        assertEquals(KBD_ACK, kbc.read(DATA));
        assertEquals(0xAA, kbc.read(DATA));
        assertEquals(0, kbc.read(COMMAND) & STATUS_OBF);
        assertEquals(0xAA, kbc.read(DATA), "an empty buffer repeats the last byte");
    }

    @Test
    void unknownCommandsAreCounted() {
        kbc.write(COMMAND, 0xC0);
        kbc.write(COMMAND, 0xA9);
        assertEquals(2, kbc.unhandledCommands());
    }

    @Test
    void saveRestore() {
        kbc.write(COMMAND, CMD_WRITE_CCB);
        kbc.write(DATA, 0x61);
        kbc.write(COMMAND, CMD_SELF_TEST);
        I8042 copy = new I8042(w -> { });
        copy.restore(kbc.save());
        assertEquals(kbc.save(), copy.save());
        assertEquals(SELF_TEST_OK, copy.read(DATA));
        copy.write(COMMAND, CMD_READ_CCB);
        assertEquals(0x61 | CCB_SYS, copy.read(DATA), "the self test set the system flag");
    }

    @Test
    void deviceForwardsResetToThePlatform() {
        I8042Device device = new I8042Device();
        FakePlatform platform = new FakePlatform();
        IoRange port64 = IoRange.pio(0x64, 1);
        IoRange port60 = IoRange.pio(0x60, 1);
        assertEquals(List.of(port60, port64), device.ranges());
        device.write(port64, 0, 1, 0xFE);     // no platform yet: counted, logged
        assertEquals(1, device.resetCount());
        device.bindPlatform(platform);
        assertEquals(STATUS_SYS | STATUS_A2 | STATUS_UNLOCKED, device.read(port64, 0, 1));
        device.write(port64, 0, 1, 0xFE);
        assertEquals(List.of("i8042 reset"), platform.resets);
        device.write(port64, 0, 1, CMD_SELF_TEST);
        assertEquals(SELF_TEST_OK, device.read(port60, 0, 1));
    }
}
