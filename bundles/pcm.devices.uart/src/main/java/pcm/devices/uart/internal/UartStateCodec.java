package pcm.devices.uart.internal;

import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The 16550's state as bytes for a live replacement ({@code pcm.core.api.bus.StatefulDevice}): the format name
 * {@code pcm.uart16550/1}, then the registers, the THR-empty interrupt flag and the receive FIFO. A successor
 * reads exactly this format and refuses anything else with the reason.
 */
final class UartStateCodec {

    static final byte[] FORMAT = "pcm.uart16550/1\n".getBytes(StandardCharsets.US_ASCII);
    private static final int REGISTERS = 9;

    private UartStateCodec() {
    }

    static byte[] encode(Uart16550.State s) {
        byte[] fifo = s.rxFifo();
        ByteBuffer b = ByteBuffer.allocate(FORMAT.length + REGISTERS + 1 + 2 + fifo.length);
        b.put(FORMAT);
        for (int v : new int[] {s.dll(), s.dlm(), s.ier(), s.lcr(), s.mcr(), s.lsr(), s.msr(), s.scr(), s.fcr()}) b.put((byte) v);
        b.put((byte) (s.thrInterrupt() ? 1 : 0));
        b.putShort((short) fifo.length);
        b.put(fifo);
        return b.array();
    }

    /** @throws IllegalArgumentException naming what is wrong: another format, a truncated or oversized state */
    static Uart16550.State decode(byte[] state) {
        if (state.length < FORMAT.length || !Arrays.equals(state, 0, FORMAT.length, FORMAT, 0, FORMAT.length)) {
            throw new IllegalArgumentException("not a pcm.uart16550/1 state (starts with '"
                    + new String(state, 0, Math.min(state.length, 24), StandardCharsets.US_ASCII).strip() + "')");
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(state, FORMAT.length, state.length - FORMAT.length);
            int[] r = new int[REGISTERS];
            for (int i = 0; i < REGISTERS; i++) r[i] = b.get() & 0xFF;
            int flag = b.get();
            if (flag != 0 && flag != 1) throw new IllegalArgumentException("pcm.uart16550/1 state: THR flag " + flag);
            int n = b.getShort() & 0xFFFF;
            if (n > 16) throw new IllegalArgumentException("pcm.uart16550/1 state: " + n + " bytes in a 16-byte FIFO");
            byte[] fifo = new byte[n];
            b.get(fifo);
            if (b.hasRemaining()) throw new IllegalArgumentException("pcm.uart16550/1 state: " + b.remaining() + " trailing bytes");
            return new Uart16550.State(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], flag == 1, fifo);
        } catch (BufferUnderflowException e) {
            throw new IllegalArgumentException("pcm.uart16550/1 state truncated at " + state.length + " bytes");
        }
    }
}
