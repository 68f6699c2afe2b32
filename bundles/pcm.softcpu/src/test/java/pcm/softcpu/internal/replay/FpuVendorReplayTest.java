package pcm.softcpu.internal.replay;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import pcm.core.api.cpu.CpuIdentity;
import pcm.core.api.verify.Outcome;
import pcm.core.api.verify.RecordingCpu;
import pcm.core.api.verify.Snapshot;
import pcm.core.api.verify.Verdict;
import pcm.core.api.verify.Window;

/**
 * Issue 13: the soft verifier replays a window with the x87 / MXCSR_MASK model of the vendor the window names
 * ({@code RecordingCpu}), as it does the undefined flags, whatever the verifying host. A window of the embedded guest
 * (which leaves the FPU alone) is given an initial FXSAVE image with last-instruction pointers and FSW.ES clear, and
 * the end image each vendor's CPU reports for it: AMD's FXSAVE drops the pointers while ES is clear, Intel's keeps
 * them. Each window MATCHES under its own vendor and DIVERGES under the other; an MXCSR with AMD's MM bit is
 * state under the AMD model and reserved under Intel's (INCONCLUSIVE: the image cannot be loaded).
 */
class FpuVendorReplayTest {

    private static Window recorded() throws Exception {
        List<Window> out = new ArrayList<>();
        try (TestWindows t = new TestWindows(64, 8 << 20, 1000, 5_000, 13)) {
            t.record(List.of(new TestWindows.Plan(20_000, 5_000)), out::add);
        }
        return out.getFirst();
    }

    private static byte[] image(boolean pointers, int mxcsr) {
        ByteBuffer b = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
        b.putShort(0, (short) 0x037F);
        if (pointers) {
            b.putShort(6, (short) 0x587);
            b.putLong(8, 0x1122_3344L);
            b.putLong(16, 0x5566_7788L);
        }
        b.putInt(24, mxcsr);
        return b.array();
    }

    private static Window as(Window w, String vendor, byte[] initialFpu, byte[] endFpu) {
        Snapshot i = w.initial(), e = w.end();
        return new TestWindows.TestWindow(w.id(), "kvm", new RecordingCpu("kvm", CpuIdentity.ofVendor(vendor, 0xA00F11)),
                new Snapshot(i.position(), i.registers(), i.specialRegisters(), initialFpu, i.msrs(), i.memory()), w.events(),
                new Snapshot(e.position(), e.registers(), e.specialRegisters(), endFpu, e.msrs(), e.memory()));
    }

    private static Outcome replay(Window w) {
        Verdict v = new SoftReplayVerifier().verify(w, ReplayTest.FULL, p -> { });
        return v.outcome();
    }

    @Test
    void theWindowsVendorSelectsThePointerModel() throws Exception {
        Window w = recorded();
        assertArrayEquals(w.initial().fpu(), w.end().fpu(), "the embedded guest does not touch the FPU");
        byte[] start = image(true, 0x1F80);
        byte[] amdEnd = image(false, 0x1F80), intelEnd = image(true, 0x1F80);
        assertEquals(Outcome.MATCH, replay(as(w, "AuthenticAMD", start, amdEnd)), "AMD window, AMD model");
        assertEquals(Outcome.MATCH, replay(as(w, "GenuineIntel", start, intelEnd)), "Intel window, Intel model");
        assertEquals(Outcome.DIVERGED, replay(as(w, "GenuineIntel", start, amdEnd)), "the AMD end image under the Intel model");
        assertEquals(Outcome.DIVERGED, replay(as(w, "AuthenticAMD", start, intelEnd)), "the Intel end image under the AMD model");
    }

    @Test
    void theWindowsVendorSelectsTheMxcsrMask() throws Exception {
        Window w = recorded();
        byte[] mm = image(false, 0x21F80); // MXCSR.MM: valid in AMD's MXCSR_MASK 0x2FFFF only
        assertEquals(Outcome.MATCH, replay(as(w, "AuthenticAMD", mm, mm)));
        assertEquals(Outcome.INCONCLUSIVE, replay(as(w, "GenuineIntel", mm, mm)), "Intel has no MM bit: the image cannot be loaded");
    }
}
