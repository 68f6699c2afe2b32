package pcm.ui.internal.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import pcm.core.api.vm.ConsoleInput;

/** The operator's input reaches the console device in order and complete, however small its FIFO and late its start. */
@Timeout(30)
class ConsolePumpTest {

    /** A 16-byte receive FIFO that the "guest" drains one byte per call of {@link #drain}. */
    static final class SmallFifo implements ConsoleInput {
        final ByteArrayOutputStream fifo = new ByteArrayOutputStream(), read = new ByteArrayOutputStream();

        @Override public synchronized int input(byte[] b, int off, int len) {
            int n = Math.min(len, 16 - fifo.size());
            fifo.write(b, off, n);
            return n;
        }

        @Override public String name() { return "com1"; }

        synchronized void drain() {
            byte[] all = fifo.toByteArray();
            if (all.length == 0) return;
            read.write(all[0]);
            fifo.reset();
            fifo.write(all, 1, all.length - 1);
        }

        synchronized String read() { return read.toString(StandardCharsets.US_ASCII); }
    }

    @Test
    void everyByteArrivesInOrderThroughAFullFifoAndALateDevice() throws Exception {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 200; i++) text.append("line ").append(i).append('\n');
        SmallFifo uart = new SmallFifo();
        AtomicReference<ConsoleInput> device = new AtomicReference<>();
        try (ConsolePump pump = new ConsolePump(new ByteArrayInputStream(text.toString().getBytes(StandardCharsets.US_ASCII)),
                device::get).start()) {
            Thread.sleep(50); // typed before the console device exists
            device.set(uart);
            while (uart.read().length() < text.length()) {
                uart.drain();
                if (uart.read().length() % 64 == 0) Thread.sleep(1);
            }
        }
        assertEquals(text.toString(), uart.read());
    }
}
