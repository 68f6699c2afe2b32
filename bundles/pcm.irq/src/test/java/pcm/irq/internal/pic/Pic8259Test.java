package pcm.irq.internal.pic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import pcm.irq.internal.pic.Pic8259.Unit;

class Pic8259Test {

    private Pic8259 pic;

    @BeforeEach
    void setUp() {
        pic = new Pic8259();
        init(0x20, 0x28, false);
    }

    /** The Linux/guest remap sequence: ICW1 (edge, cascade, ICW4), ICW2 base, ICW3 wiring, ICW4 8086. */
    private void init(int masterBase, int slaveBase, boolean autoEoi) {
        int icw4 = 0x01 | (autoEoi ? 0x02 : 0);
        pic.write(Unit.MASTER, 0, 0x11);
        pic.write(Unit.MASTER, 1, masterBase);
        pic.write(Unit.MASTER, 1, 0x04);
        pic.write(Unit.MASTER, 1, icw4);
        pic.write(Unit.SLAVE, 0, 0x11);
        pic.write(Unit.SLAVE, 1, slaveBase);
        pic.write(Unit.SLAVE, 1, 0x02);
        pic.write(Unit.SLAVE, 1, icw4);
    }

    private void eoi(Unit unit) {
        pic.write(unit, 0, 0x20);
    }

    private int isr(Unit unit) {
        pic.write(unit, 0, 0x0B);
        return pic.read(unit, 0);
    }

    private int irr(Unit unit) {
        pic.write(unit, 0, 0x0A);
        return pic.read(unit, 0);
    }

    private void pulse(int line) {
        pic.setIrq(line, true);
        pic.setIrq(line, false);
    }

    @Test
    void initSequenceSetsVectorBasesAndClearsMask() {
        assertEquals(0x20, pic.vectorBase(Unit.MASTER));
        assertEquals(0x28, pic.vectorBase(Unit.SLAVE));
        assertEquals(0, pic.read(Unit.MASTER, 1));
        assertFalse(pic.interruptPending());
    }

    @Test
    void icw2MasksLowVectorBits() {
        pic.write(Unit.MASTER, 0, 0x11);
        pic.write(Unit.MASTER, 1, 0x37);
        pic.write(Unit.MASTER, 1, 0x04);
        pic.write(Unit.MASTER, 1, 0x01);
        assertEquals(0x30, pic.vectorBase(Unit.MASTER));
    }

    @Test
    void icw1WithoutIcw4SkipsIt() {
        pic.write(Unit.MASTER, 0, 0x10);     // no ICW4
        pic.write(Unit.MASTER, 1, 0x40);
        pic.write(Unit.MASTER, 1, 0x04);     // ICW3
        pic.write(Unit.MASTER, 1, 0xFE);     // now OCW1
        assertEquals(0xFE, pic.read(Unit.MASTER, 1));
    }

    @Test
    void edgeTriggeredIrqIsDeliveredOnceWithItsVector() {
        pulse(0);
        assertTrue(pic.interruptPending());
        assertEquals(0x20, pic.acknowledge());
        assertFalse(pic.interruptPending());
        assertEquals(0x01, isr(Unit.MASTER));
        eoi(Unit.MASTER);
        assertEquals(0, isr(Unit.MASTER));
        assertFalse(pic.interruptPending());
    }

    @Test
    void holdingAnEdgeLineHighDoesNotRetrigger() {
        pic.setIrq(4, true);
        assertEquals(0x24, pic.acknowledge());
        eoi(Unit.MASTER);
        pic.setIrq(4, true);                 // still high: no new edge
        assertFalse(pic.interruptPending());
        pic.setIrq(4, false);
        pic.setIrq(4, true);
        assertTrue(pic.interruptPending());
    }

    @Test
    void maskedIrqStaysInIrrUntilUnmasked() {
        pic.write(Unit.MASTER, 1, 0x01);     // OCW1: mask IRQ 0
        pulse(0);
        assertFalse(pic.interruptPending());
        assertEquals(0x01, irr(Unit.MASTER));
        pic.write(Unit.MASTER, 1, 0x00);
        assertTrue(pic.interruptPending());
        assertEquals(0x20, pic.acknowledge());
    }

    @Test
    void lowerNumberedIrqWinsAndInServicePriorityBlocksLowerOnes() {
        pulse(4);
        pulse(1);
        assertEquals(0x21, pic.acknowledge());
        assertFalse(pic.interruptPending(), "IRQ 4 waits while IRQ 1 is in service");
        pulse(0);
        assertTrue(pic.interruptPending(), "IRQ 0 preempts IRQ 1");
        assertEquals(0x20, pic.acknowledge());
        eoi(Unit.MASTER);                    // non-specific EOI ends the highest: IRQ 0
        assertEquals(0x02, isr(Unit.MASTER));
        eoi(Unit.MASTER);
        assertEquals(0x24, pic.acknowledge());
    }

    @Test
    void specificEoiClearsTheNamedLevel() {
        pulse(3);
        pic.acknowledge();
        pulse(1);
        pic.acknowledge();
        assertEquals(0x0A, isr(Unit.MASTER));
        pic.write(Unit.MASTER, 0, 0x60 | 3);  // specific EOI IRQ 3
        assertEquals(0x02, isr(Unit.MASTER));
    }

    @Test
    void rotateOnNonSpecificEoiGivesTheServedLineLowestPriority() {
        pulse(0);
        pic.acknowledge();
        pic.write(Unit.MASTER, 0, 0xA0);     // rotate on non-specific EOI
        pulse(0);
        pulse(5);
        assertEquals(0x25, pic.acknowledge(), "IRQ 0 now has the lowest priority");
    }

    @Test
    void setPriorityCommandRotates() {
        pic.write(Unit.MASTER, 0, 0xC0 | 3); // IRQ 3 lowest, IRQ 4 highest
        pulse(1);
        pulse(4);
        assertEquals(0x24, pic.acknowledge());
    }

    @Test
    void cascadeDeliversSlaveVectorAndNeedsBothEois() {
        pulse(12);
        assertTrue(pic.interruptPending());
        assertEquals(0x2C, pic.acknowledge());
        assertEquals(0x04, isr(Unit.MASTER));
        assertEquals(0x10, isr(Unit.SLAVE));
        pulse(13);
        assertFalse(pic.interruptPending(), "slave IRQ 13 ranks below IRQ 12 in service");
        eoi(Unit.SLAVE);
        assertFalse(pic.interruptPending(), "master IRQ 2 still in service");
        eoi(Unit.MASTER);
        assertTrue(pic.interruptPending());
        assertEquals(0x2D, pic.acknowledge());
    }

    @Test
    void slaveIrqsRankBetweenMasterIrq1AndIrq3() {
        pulse(3);
        pulse(8);
        pulse(1);
        assertEquals(0x21, pic.acknowledge());
        eoi(Unit.MASTER);
        assertEquals(0x28, pic.acknowledge());
        eoi(Unit.SLAVE);
        eoi(Unit.MASTER);
        assertEquals(0x23, pic.acknowledge());
    }

    @Test
    void maskingCascadeLineBlocksTheSlave() {
        pic.write(Unit.MASTER, 1, 0x04);
        pulse(9);
        assertFalse(pic.interruptPending());
        pic.write(Unit.MASTER, 1, 0x00);
        assertEquals(0x29, pic.acknowledge());
    }

    @Test
    void inta_withNothingPending_isSpuriousIrq7() {
        assertEquals(0x27, pic.acknowledge());
        assertTrue(pic.lastAcknowledgeSpurious());
        assertEquals(0, isr(Unit.MASTER), "a spurious IRQ 7 sets no ISR bit");
    }

    @Test
    void vanishedLevelRequestOnTheSlaveIsSpuriousIrq15() {
        pic.writeElcr(Unit.SLAVE, 0x02);     // IRQ 9 level triggered
        pic.setIrq(9, true);
        assertTrue(pic.interruptPending());
        pic.setIrq(9, false);                // the device drops its request before INTA
        // the master latched the cascade edge, so the INTA cycle still happens
        assertTrue(pic.interruptPending());
        assertEquals(0x2F, pic.acknowledge());
        assertTrue(pic.lastAcknowledgeSpurious());
        assertEquals(0x04, isr(Unit.MASTER), "the master still serves IRQ 2 and needs an EOI");
        assertEquals(0, isr(Unit.SLAVE));
    }

    @Test
    void levelTriggeredLineRepeatsUntilDeasserted() {
        pic.writeElcr(Unit.MASTER, 0x20);    // IRQ 5 level
        pic.setIrq(5, true);
        assertEquals(0x25, pic.acknowledge());
        eoi(Unit.MASTER);
        assertTrue(pic.interruptPending(), "line still high");
        assertEquals(0x25, pic.acknowledge());
        pic.setIrq(5, false);
        eoi(Unit.MASTER);
        assertFalse(pic.interruptPending());
    }

    @Test
    void elcrIgnoresBitsOfAlwaysEdgeLines() {
        pic.writeElcr(Unit.MASTER, 0xFF);
        pic.writeElcr(Unit.SLAVE, 0xFF);
        assertEquals(0xF8, pic.readElcr(Unit.MASTER));
        assertEquals(0xDE, pic.readElcr(Unit.SLAVE));
    }

    @Test
    void autoEoiLeavesNothingInService() {
        init(0x20, 0x28, true);
        pulse(0);
        assertEquals(0x20, pic.acknowledge());
        assertEquals(0, isr(Unit.MASTER));
        pulse(3);
        assertTrue(pic.interruptPending());
        assertEquals(0x23, pic.acknowledge());
    }

    @Test
    void pollCommandAcknowledgesWithoutInta() {
        pulse(6);
        pic.write(Unit.MASTER, 0, 0x0C);     // OCW3 poll
        assertEquals(0x86, pic.read(Unit.MASTER, 0));
        assertEquals(0x40, isr(Unit.MASTER));
        pic.write(Unit.MASTER, 0, 0x0C);
        assertEquals(0x00, pic.read(Unit.MASTER, 0), "nothing pending");
    }

    @Test
    void ocw3SelectsIrrOrIsrForReads() {
        pic.write(Unit.MASTER, 1, 0xFF);
        pulse(2);
        pulse(7);
        pic.write(Unit.MASTER, 0, 0x0A);
        assertEquals(0x84, pic.read(Unit.MASTER, 0));
        pic.write(Unit.MASTER, 0, 0x0B);
        assertEquals(0x00, pic.read(Unit.MASTER, 0));
        pic.write(Unit.MASTER, 0, 0x08);     // OCW3 without RR: selection kept
        assertEquals(0x00, pic.read(Unit.MASTER, 0));
    }

    @Test
    void reinitialisationClearsMaskAndInService() {
        pic.write(Unit.MASTER, 1, 0xFF);
        pulse(1);
        pic.write(Unit.MASTER, 1, 0x00);
        pic.acknowledge();
        init(0x30, 0x38, false);
        assertEquals(0, isr(Unit.MASTER));
        assertEquals(0, pic.read(Unit.MASTER, 1));
        pulse(1);
        assertEquals(0x31, pic.acknowledge());
    }

    @Test
    void saveAndRestoreRoundTrip() {
        pic.write(Unit.MASTER, 1, 0x10);
        pulse(4);
        pulse(12);
        pic.acknowledge();
        Pic8259.State state = pic.save();

        Pic8259 copy = new Pic8259();
        copy.restore(state);
        assertEquals(state, copy.save());
        assertEquals(0x28, copy.vectorBase(Unit.SLAVE));
        copy.write(Unit.SLAVE, 0, 0x20);
        copy.write(Unit.MASTER, 0, 0x20);
        copy.write(Unit.MASTER, 1, 0x00);
        assertEquals(0x24, copy.acknowledge());
    }
}
