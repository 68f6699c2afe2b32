package pcm.softcpu.internal.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import pcm.core.api.cpu.Registers;
import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;
import pcm.core.api.verify.Outcome;
import pcm.core.api.verify.Snapshot;
import pcm.core.api.verify.Verdict;
import pcm.core.api.verify.Window;

/**
 * A window that ended inside a REP string instruction: a KVM recording steps one iteration per exit and closes a window
 * at its timeout wherever the vCPU stands (stop 24: Linux's clear_bss on the emulated SVM host, "0 instructions" with
 * RCX and RDI moved). The soft RCP said DIVERGED at position 0; it cannot stop at that iteration, so INCONCLUSIVE, naming it.
 */
@Timeout(value = 300, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class EndInsideRepStringTest {

    @Test
    void aWindowEndingBetweenTwoIterationsIsInconclusiveNotDiverged() throws Exception {
        Window w = BadWindowTest.window();
        Snapshot i = w.initial();
        byte[] ram = new byte[(int) i.memory().size()];
        i.memory().read(0, ram, 0, ram.length);
        long rip = i.registers().rip(); // the embedded guest runs identity-mapped (docs/guest-contract.md)
        ram[(int) rip] = (byte) 0xF3; // rep stosb
        ram[(int) rip + 1] = (byte) 0xAA;
        ram[(int) rip + 2] = (byte) 0xF4; // hlt
        long buf = 6L << 20; // RAM the guest does not use
        long[] a = i.registers().toArray();
        a[0] = 0x5A; // al
        a[2] = 100; // rcx
        a[5] = buf; // rdi
        a[17] &= ~0x400L; // DF clear
        Registers start = Registers.fromArray(a);
        byte[] endRam = ram.clone();
        for (int k = 0; k < 40; k++) endRam[(int) buf + k] = 0x5A;
        a[2] = 60;
        a[5] = buf + 40;
        Registers end = Registers.fromArray(a);
        Snapshot initial = new Snapshot(0, start, i.specialRegisters(), i.fpu(), i.msrs(), new TestWindows.Image(ram));
        Snapshot last = new Snapshot(0, end, i.specialRegisters(), i.fpu(), i.msrs(), new TestWindows.Image(endRam));
        List<PcmEvent> events = List.of(new PcmEvent(EventKind.END, 0, 0, rip, 60, 0, 0,
                "timeout".getBytes(StandardCharsets.UTF_8), 0));
        Verdict v = new SoftReplayVerifier().verify(new TestWindows.TestWindow("w-rep", w.backend(), w.cpu(), initial, events, last),
                ReplayTest.FULL, null);
        assertEquals(Outcome.INCONCLUSIVE, v.outcome(), v::toString);
        assertTrue(v.detail().contains("inside the REP string instruction"), v::toString);
    }
}
