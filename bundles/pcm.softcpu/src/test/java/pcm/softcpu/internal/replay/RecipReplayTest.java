package pcm.softcpu.internal.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import pcm.core.api.cpu.CpuIdentity;
import pcm.core.api.cpu.VirtualMachine;
import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;
import pcm.core.api.guest.LongModeBoot;
import pcm.core.api.verify.Outcome;
import pcm.core.api.verify.RecordingCpu;
import pcm.core.api.verify.Snapshot;
import pcm.core.api.verify.Verdict;
import pcm.core.api.verify.Window;
import pcm.softcpu.internal.SoftHypervisor;
import pcm.softcpu.internal.SoftVcpu;

/**
 * Issue 13: RCPPS/RSQRTPS replay with the recording CPU's exact model, or INCONCLUSIVE naming the instruction — never a
 * false MATCH or DIVERGED. A window executing RCPPS, RSQRTSS, RSQRTPS and RCPSS is recorded by the soft CPU under the
 * AMD model of the family measured (1Ah, whatever this host is): it MATCHES as recorded; labelled as recorded on an
 * Intel CPU or on an AMD family not measured it is INCONCLUSIVE with the reason; labelled as recorded on QEMU's TCG
 * (whose 1/x is exact) it DIVERGES, as it should: the AMD results are not TCG's.
 */
class RecipReplayTest {

    static final int ZEN5 = 0x00B00F21, ZEN4 = 0x00A10F11, XEON = 0x000806F8;

    /** rcpps xmm0,xmm1; rsqrtss xmm2,xmm1; rsqrtps xmm3,xmm1; rcpss xmm4,xmm1; jmp $ */
    static final byte[] CODE = {0x0F, 0x53, (byte) 0xC1, (byte) 0xF3, 0x0F, 0x52, (byte) 0xD1, 0x0F, 0x52, (byte) 0xD9,
        (byte) 0xF3, 0x0F, 0x53, (byte) 0xE1, (byte) 0xEB, (byte) 0xFE};
    static final long LENGTH = 6;

    private static Window recordedUnderAmd() throws Exception {
        long size = 4 << 20;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ram = arena.allocate(size, 4096);
            LongModeBoot.writeTables((gpa, v) -> ram.set(ValueLayout.JAVA_LONG_UNALIGNED, gpa, v),
                    new LongModeBoot.BootInfo(size, 1, 0, 0));
            MemorySegment.copy(CODE, 0, ram, ValueLayout.JAVA_BYTE, 0x100000, CODE.length);
            VirtualMachine vm = new SoftHypervisor().createVm();
            vm.setMemoryRegion(0, 0, ram, false);
            SoftVcpu vcpu = (SoftVcpu) vm.createVcpu(0);
            assertTrue(vcpu.setVendorModel(CpuIdentity.AMD_FLAGS, ZEN5));
            vcpu.setSpecialRegisters(LongModeBoot.specialRegisters());
            vcpu.setRegisters(LongModeBoot.registers(0x100000));
            ByteBuffer fp = ByteBuffer.allocate(512).order(ByteOrder.LITTLE_ENDIAN);
            fp.putShort(0, (short) 0x37F).putInt(24, 0x1F80);
            fp.putInt(176, Float.floatToRawIntBits(3.0f)).putInt(180, Float.floatToRawIntBits(0.7f))
                    .putInt(184, Float.floatToRawIntBits(1e10f)).putInt(188, Float.floatToRawIntBits(123.456f)); // XMM1
            vcpu.setFpuState(fp.array());
            Snapshot init = snapshot(vcpu, ram, 0);
            assertNull(vcpu.runUntil(LENGTH), "the four instructions run under the AMD model");
            Snapshot end = snapshot(vcpu, ram, LENGTH);
            List<PcmEvent> events = List.of(new PcmEvent(EventKind.STATE, 0, 0, 0, 0, 0, 0, "window-start recip".getBytes(), 0),
                    new PcmEvent(EventKind.END, 0, LENGTH, vcpu.rip(), vcpu.gpr(2), 0, 0, null, 0));
            vm.close();
            return new TestWindows.TestWindow("recip", "soft", as(ZEN5, "AuthenticAMD", CpuIdentity.AMD_FLAGS), init, events, end);
        }
    }

    private static Snapshot snapshot(SoftVcpu vcpu, MemorySegment ram, long pos) throws Exception {
        Map<Integer, Long> msrs = new HashMap<>();
        for (int m : TestWindows.MSRS) if (vcpu.holdsMsr(m)) msrs.put(m, vcpu.readMsr(m));
        return new Snapshot(pos, vcpu.registers(), vcpu.specialRegisters(), vcpu.fpuState(), msrs,
                new TestWindows.Image(ram.toArray(ValueLayout.JAVA_BYTE)));
    }

    private static RecordingCpu as(int signature, String vendor, String model) {
        return new RecordingCpu("kvm", new CpuIdentity(vendor, signature, model));
    }

    private static Verdict replay(Window w, RecordingCpu cpu) {
        Window l = new TestWindows.TestWindow(w.id(), cpu.backend(), cpu, w.initial(), w.events(), w.end());
        return new SoftReplayVerifier().verify(l, ReplayTest.FULL, p -> { });
    }

    @Test
    void theRecordingCpusModelOrInconclusive() throws Exception {
        Window w = recordedUnderAmd();
        assertTrue(!java.util.Arrays.equals(w.initial().fpu(), w.end().fpu()), "the window computes something");
        Verdict amd = replay(w, as(ZEN5, "AuthenticAMD", CpuIdentity.AMD_FLAGS));
        assertEquals(Outcome.MATCH, amd.outcome(), amd::toString);
        for (RecordingCpu other : List.of(as(XEON, "GenuineIntel", CpuIdentity.INTEL_FLAGS), as(ZEN4, "AuthenticAMD", CpuIdentity.AMD_FLAGS))) {
            Verdict v = replay(w, other);
            assertEquals(Outcome.INCONCLUSIVE, v.outcome(), () -> other.describe() + ": " + v);
            assertTrue(v.toString().contains("RCPPS") && v.toString().contains("implementation-specific"), v::toString);
            System.out.println("RCPPS window as " + other.describe() + ": " + v);
        }
        Verdict tcg = replay(w, as(ZEN4, "AuthenticAMD", CpuIdentity.TCG_FLAGS));
        assertEquals(Outcome.DIVERGED, tcg.outcome(), () -> "TCG computes 1/x exactly, not AMD's table: " + tcg);
    }
}
