package pcm.devices.uart.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static pcm.devices.uart.internal.Uart16550.*;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

class Uart16550Test {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final List<Boolean> irq = new ArrayList<>();
    private final Uart16550 uart = new Uart16550(out::write, irq::add);

    private boolean irqHigh() {
        return !irq.isEmpty() && irq.getLast();
    }

    private int iir() {
        return uart.read(IIR_FCR);
    }

    @Test
    void resetValues() {
        assertEquals(LSR_THRE | LSR_TEMT, uart.read(LSR));
        assertEquals(IIR_NONE, iir());
        assertEquals(0, uart.read(IER_DLM));
        assertEquals(MSR_CTS | MSR_DSR | MSR_DCD, uart.read(MSR));
        assertTrue(irq.isEmpty());
    }

    @Test
    void thrWritesGoToTheOutput() {
        for (byte b : "hi\n".getBytes(StandardCharsets.US_ASCII)) uart.write(RBR_THR_DLL, b);
        assertEquals("hi\n", out.toString(StandardCharsets.US_ASCII));
        assertEquals(LSR_THRE | LSR_TEMT, uart.read(LSR) & (LSR_THRE | LSR_TEMT));
    }

    @Test
    void dlabSwitchesOffsets0And1ToTheDivisor() {
        uart.write(IER_DLM, 0x05);
        uart.write(LCR, LCR_DLAB | 0x03);
        assertEquals(0x0C, uart.read(RBR_THR_DLL), "default divisor 12 = 9600 baud");
        uart.write(RBR_THR_DLL, 0x01);
        uart.write(IER_DLM, 0x00);
        assertEquals(0x01, uart.read(RBR_THR_DLL));
        assertEquals(0x00, uart.read(IER_DLM));
        assertEquals(0, out.size(), "divisor writes are not transmitted");
        uart.write(LCR, 0x03);
        assertEquals(0x05, uart.read(IER_DLM), "IER kept");
        assertEquals(0x03, uart.read(LCR));
    }

    @Test
    void ierKeepsOnlyFourBitsAndScratchHoldsAByte() {
        uart.write(IER_DLM, 0xFF);
        assertEquals(0x0F, uart.read(IER_DLM));
        uart.write(SCR, 0xA5);
        assertEquals(0xA5, uart.read(SCR));
    }

    @Test
    void receivedDataSetsDrAndRaisesRdaInterruptWhenOut2IsSet() {
        uart.write(IER_DLM, IER_RDA);
        uart.receive(new byte[] {'x'});
        assertEquals(LSR_DR, uart.read(LSR) & LSR_DR);
        assertEquals(IIR_RDA, iir());
        assertFalse(irqHigh(), "OUT2 gates the IRQ line on a PC");
        uart.write(MCR, MCR_OUT2);
        assertTrue(irqHigh());
        assertEquals('x', uart.read(RBR_THR_DLL));
        assertFalse(irqHigh());
        assertEquals(0, uart.read(LSR) & LSR_DR);
        assertEquals(IIR_NONE, iir());
    }

    @Test
    void thrEmptyInterruptOnEnableAndAfterEachWrite_clearedByIirRead() {
        uart.write(MCR, MCR_OUT2);
        uart.write(IER_DLM, IER_THRE);
        assertTrue(irqHigh(), "enabling ETBEI with THR empty interrupts at once");
        assertEquals(IIR_THRE, iir());
        assertFalse(irqHigh(), "reading IIR acknowledged it");
        assertEquals(IIR_NONE, iir());
        uart.write(RBR_THR_DLL, 'a');
        assertTrue(irqHigh());
        uart.write(IER_DLM, 0);
        assertFalse(irqHigh());
    }

    @Test
    void interruptIdentificationPriorities() {
        uart.write(MCR, MCR_OUT2 | MCR_LOOP);
        assertEquals(MSR_DCTS | MSR_DDSR, uart.read(MSR) & 0x0F, "entering loopback drops CTS and DSR");
        uart.write(IER_DLM, IER_RDA | IER_THRE | IER_RLS | IER_MS);
        // modem status: toggling RTS in loopback changes CTS
        uart.write(MCR, MCR_OUT2 | MCR_LOOP | MCR_RTS);
        // a THR write in loopback: THRE interrupt + received data
        uart.write(RBR_THR_DLL, 'a');
        uart.write(RBR_THR_DLL, 'b');    // non-FIFO mode: one-byte holding register overruns
        assertEquals(IIR_RLS, iir() & 0x0F, "line status first");
        assertEquals(LSR_OE, uart.read(LSR) & LSR_OE);
        assertEquals(0, uart.read(LSR) & LSR_OE, "reading LSR clears the error");
        assertEquals(IIR_RDA, iir() & 0x0F, "then received data");
        assertEquals('a', uart.read(RBR_THR_DLL));
        assertEquals(IIR_THRE, iir() & 0x0F, "then THR empty");
        int msi = iir() & 0x0F;
        assertEquals(IIR_MS, msi, "then modem status");
        assertTrue(irqHigh());
        assertEquals(MSR_DCTS, uart.read(MSR) & 0x0F);
        assertEquals(IIR_NONE, iir());
        assertFalse(irqHigh());
    }

    @Test
    void loopbackWiresMcrToMsrAndKeepsOutputAway() {
        uart.write(MCR, MCR_LOOP);
        uart.read(MSR);
        uart.write(MCR, MCR_LOOP | MCR_DTR | MCR_RTS | MCR_OUT1 | MCR_OUT2);
        int msr = uart.read(MSR);
        assertEquals(MSR_CTS | MSR_DSR | MSR_RI | MSR_DCD, msr & 0xF0);
        assertEquals(MSR_DCTS | MSR_DDSR | MSR_DDCD, msr & 0x0F);
        uart.write(MCR, MCR_LOOP | MCR_DTR | MCR_RTS | MCR_OUT2);
        assertEquals(MSR_TERI, uart.read(MSR) & 0x0F, "RI trailing edge");
        uart.write(RBR_THR_DLL, 0x5A);
        assertEquals(0, out.size());
        assertEquals(0x5A, uart.read(RBR_THR_DLL));
        uart.write(MCR, 0);
        assertEquals(MSR_CTS | MSR_DSR | MSR_DCD, uart.read(MSR) & 0xF0);
    }

    @Test
    void fifoHolds16BytesAndReportsTriggerLevelAndTimeout() {
        uart.write(IIR_FCR, FCR_ENABLE | 0x80);     // trigger level 8
        assertEquals(IIR_FIFO_ENABLED, iir() & 0xC0);
        uart.write(IER_DLM, IER_RDA);
        byte[] data = new byte[20];
        for (int i = 0; i < data.length; i++) data[i] = (byte) i;
        assertEquals(4, uart.receive(data, 0, 4));
        assertEquals(IIR_TIMEOUT, iir() & 0x0F, "below the trigger level");
        assertEquals(12, uart.receive(data, 4, 16));
        assertEquals(0, uart.receiveSpace());
        assertEquals(IIR_RDA, iir() & 0x0F);
        for (int i = 0; i < 16; i++) assertEquals(i, uart.read(RBR_THR_DLL));
        assertEquals(0, uart.read(LSR) & LSR_DR);
        assertEquals(16, uart.receiveSpace());
    }

    @Test
    void fcrClearsTheReceiveFifo() {
        uart.write(IIR_FCR, FCR_ENABLE);
        uart.receive(new byte[] {1, 2, 3});
        uart.write(IIR_FCR, FCR_ENABLE | FCR_CLEAR_RX);
        assertEquals(0, uart.read(LSR) & LSR_DR);
    }

    @Test
    void withoutFifoOnlyOneByteIsAccepted() {
        assertEquals(1, uart.receive(new byte[] {1, 2, 3}));
        assertEquals(1, uart.read(RBR_THR_DLL));
    }

    @Test
    void lsrAndMsrWritesAreIgnored() {
        uart.write(LSR, 0xFF);
        uart.write(MSR, 0xFF);
        assertEquals(LSR_THRE | LSR_TEMT, uart.read(LSR));
        assertEquals(MSR_CTS | MSR_DSR | MSR_DCD, uart.read(MSR));
    }

    @Test
    void saveAndRestoreIncludeTheFifoAndDriveTheIrqLine() {
        uart.write(IIR_FCR, FCR_ENABLE);
        uart.write(IER_DLM, IER_RDA);
        uart.write(MCR, MCR_OUT2);
        uart.write(SCR, 0x42);
        uart.receive(new byte[] {10, 20, 30});
        uart.read(RBR_THR_DLL);
        Uart16550.State state = uart.save();
        assertArrayEquals(new byte[] {20, 30}, state.rxFifo());

        List<Boolean> otherIrq = new ArrayList<>();
        Uart16550 copy = new Uart16550(b -> { }, otherIrq::add);
        copy.restore(state);
        assertEquals(List.of(true), otherIrq);
        assertEquals(0x42, copy.read(SCR));
        assertEquals(20, copy.read(RBR_THR_DLL));
        assertEquals(30, copy.read(RBR_THR_DLL));
        assertEquals(List.of(true, false), otherIrq);
    }
}
