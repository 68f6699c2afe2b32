package pcm.irq.internal.ioapic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.annotation.Annotation;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import pcm.core.api.bus.IoRange;
import pcm.irq.api.LocalApic;

/** The IOAPIC (issue 14 item 3): registers, edge and level pins, Remote IRR and the broadcast EOI, masking, state. */
class IoapicDeviceTest {

    private static final IoRange RANGE = IoRange.mmio(IoapicDevice.BASE, 0x20);
    private final IoapicDevice io = new IoapicDevice();
    private final RecordingApic apic = new RecordingApic();

    @BeforeEach
    void wire() {
        io.activate(new IoapicDevice.Config() {
            public Class<? extends Annotation> annotationType() { return IoapicDevice.Config.class; }
            public int isaIrq0Pin() { return 2; }
        });
        io.bindLocalApic(apic);
    }

    private int reg(int index) {
        io.write(RANGE, 0, 4, index);
        return (int) io.read(RANGE, 0x10, 4);
    }

    private void setReg(int index, int value) {
        io.write(RANGE, 0, 4, index);
        io.write(RANGE, 0x10, 4, Integer.toUnsignedLong(value));
    }

    private void route(int pin, int low, int destination) {
        setReg(0x11 + 2 * pin, destination << 24);
        setReg(0x10 + 2 * pin, low);
    }

    @Test
    void identificationAndResetState() {
        assertEquals(0x0017_0011, reg(0x01), "version 0x11, 24 entries (max 23)");
        assertEquals(0, reg(0x00));
        setReg(0x00, 0x0F00_0000 | 0x00FF_FFFF);
        assertEquals(0x0F00_0000, reg(0x00), "4-bit id");
        assertEquals(0x0F00_0000, reg(0x02), "arbitration id follows");
        for (int pin = 0; pin < 24; pin++) assertEquals(0x10000, reg(0x10 + 2 * pin), "pin " + pin + " masked at reset");
        assertEquals(0, reg(0x40), "an unimplemented register");
        io.write(RANGE, 0, 4, 0x12);
        assertEquals(0x12, io.read(RANGE, 0, 4), "IOREGSEL reads back");
    }

    @Test
    void isaIrqsArriveAtThePinsTheMadtNames() {
        assertEquals(2, io.pinOfIsaIrq(0), "the PIT's override");
        assertEquals(4, io.pinOfIsaIrq(4));
        assertEquals(8, io.pinOfIsaIrq(8));
    }

    @Test
    void anEdgePinSendsOncePerRisingEdgeAndLosesEdgesWhileMasked() {
        route(2, 0x30, 0);
        io.setPin(2, true);
        io.setPin(2, true);                                // no new edge
        io.setPin(2, false);
        io.setPin(2, true);
        assertEquals(List.of("0x30 edge to 0", "0x30 edge to 0"), apic.log);
        setReg(0x14, 0x10030);                             // mask
        io.setPin(2, false);
        io.setPin(2, true);
        setReg(0x14, 0x30);                                // unmask: the edge was lost
        assertEquals(2, apic.log.size());
        assertEquals(0, reg(0x14) & 1 << 14, "no Remote IRR on an edge pin");
    }

    @Test
    void aLevelPinSetsRemoteIrrUntilTheEoiAndSendsAgainWhileStillAsserted() {
        route(9, 0x8000 | 0x49, 0);                        // level (bit 15), active high, vector 0x49
        io.setPin(9, true);
        assertEquals(List.of("0x49 level to 0"), apic.log);
        assertEquals(1 << 14, reg(0x10 + 18) & 1 << 14, "Remote IRR set");
        io.setPin(9, false);
        io.setPin(9, true);                                // Remote IRR holds it back
        assertEquals(1, apic.log.size());
        io.endOfInterrupt(0x48);                           // another vector: nothing
        assertEquals(1, apic.log.size());
        io.endOfInterrupt(0x49);                           // still asserted: again
        assertEquals(2, apic.log.size());
        io.setPin(9, false);
        io.endOfInterrupt(0x49);                           // deasserted: Remote IRR cleared, nothing sent
        assertEquals(2, apic.log.size());
        assertEquals(0, reg(0x10 + 18) & 1 << 14);
    }

    @Test
    void activeLowLevelPinsTakeLogicalInputsAndUnmaskingAnAssertedLine() {
        // a PCI INTx line on ISA IRQ 11, which the kernel programs level, active low (ACPI "no GSI - using ISA IRQ")
        route(11, 0x1_0000 | 0x8000 | 0x2000 | 0x4B, 0);   // masked, level, active low
        io.setPin(11, false);                              // idle: nothing, whatever the polarity
        setReg(0x10 + 22, 0x8000 | 0x2000 | 0x4B);         // unmasked while idle: still nothing
        assertEquals(List.of(), apic.log);
        setReg(0x10 + 22, 0x1_0000 | 0x8000 | 0x2000 | 0x4B);
        io.setPin(11, true);                               // asserted, but masked
        assertEquals(List.of(), apic.log);
        setReg(0x10 + 22, 0x8000 | 0x2000 | 0x4B);         // unmask: the asserted line is serviced at once
        assertEquals(List.of("0x4B level to 0"), apic.log);
    }

    @Test
    void destinationModeAndDeliveryModeReachTheLocalApic() {
        route(5, 0x800 | 0x100 | 0x55, 0x03);              // logical, lowest priority
        io.setPin(5, true);
        assertEquals(new Ioapic.Message(0x03, true, LocalApic.DELIVERY_LOWEST_PRIORITY, 0x55, false), apic.messages.get(0));
        route(6, 0x400 | 0x02, 0);                         // NMI
        io.setPin(6, true);
        assertEquals(LocalApic.DELIVERY_NMI, apic.messages.get(1).deliveryMode());
    }

    @Test
    void readOnlyBitsStayAsTheyAre() {
        route(3, 0x8000 | 0x33, 0);
        io.setPin(3, true);                                // Remote IRR set
        setReg(0x16, 0xFFFF_FFFF & ~0x10000 & ~0x4000);    // tries to clear Remote IRR and set delivery status
        int low = reg(0x16);
        assertEquals(1 << 14, low & 1 << 14, "Remote IRR is read-only");
        assertEquals(0, low & 1 << 12, "delivery status idle");
        setReg(0x17, 0x12FF_FFFF);
        assertEquals(0x1200_0000, reg(0x17), "only the destination byte of the high half");
    }

    @Test
    void switchingALevelPinToEdgeDropsRemoteIrr() {
        route(4, 0x8000 | 0x34, 0);
        io.setPin(4, true);
        setReg(0x18, 0x34);                                // edge now
        assertEquals(0, reg(0x18) & 1 << 14);
    }

    @Test
    void saveAndRestoreRoundTrip() {
        route(9, 0x8000 | 0x49, 0);
        setReg(0x00, 0x0300_0000);
        io.setPin(9, true);
        Ioapic.State s = io.save();
        IoapicDevice next = new IoapicDevice();
        next.bindLocalApic(apic);
        next.restore(s);
        Ioapic.State t = next.save();
        assertArrayEquals(s.redirection(), t.redirection());
        assertArrayEquals(s.lines(), t.lines());
        assertEquals(s.id(), t.id());
        next.endOfInterrupt(0x49);                         // Remote IRR came along: the still-high line sends again
        assertEquals(2, apic.log.size());
        assertThrows(IllegalArgumentException.class, () -> next.restore(new Ioapic.State(0, 0, new long[3], new boolean[3])));
    }

    @Test
    void nonsenseNeverThrows() {
        Random r = new Random(3);
        for (int i = 0; i < 100_000; i++) {
            long off = r.nextInt(0x20);
            int size = 1 << r.nextInt(4);
            if (r.nextBoolean()) io.write(RANGE, off, size, r.nextLong());
            else io.read(RANGE, off, size);
            if (r.nextInt(4) == 0) io.setPin(r.nextInt(40) - 8, r.nextBoolean());
            if (r.nextInt(8) == 0) io.endOfInterrupt(r.nextInt(256));
        }
    }

    static final class RecordingApic implements LocalApic {
        final List<String> log = new ArrayList<>();
        final List<Ioapic.Message> messages = new ArrayList<>();

        public boolean deliver(int destination, boolean logical, int deliveryMode, int vector, boolean level) {
            log.add(String.format("0x%02X %s to %d", vector, level ? "level" : "edge", destination));
            messages.add(new Ioapic.Message(destination, logical, deliveryMode, vector, level));
            return true;
        }
        public boolean hasPendingInterrupt() { return false; }
        public int acknowledge() { return -1; }
        public void setPendingListener(Runnable listener) {}
    }
}
