package pcm.ui.internal.commands;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.EnumMap;
import java.util.Map;
import java.util.OptionalInt;

import org.junit.jupiter.api.Test;

import pcm.core.api.vm.ExitKind;
import pcm.core.api.vm.Vm;
import pcm.core.api.vm.VmException;
import pcm.core.api.vm.VmState;

class VmCommandTest {

    static class FakeVm implements Vm {
        @Override public String stopReason() { return ""; }
        @Override public java.util.Map<String, Object> configuration() { return java.util.Map.of(); }

        VmState state = VmState.CREATED;

        public VmState state() { return state; }
        public void start() throws VmException {
            if (state == VmState.RUNNING) throw new VmException("VM is already RUNNING");
            state = VmState.RUNNING;
        }
        public void pause() { state = VmState.PAUSED; }
        public void resume() { state = VmState.RUNNING; }
        public void stop() { state = VmState.STOPPED; }
        public OptionalInt awaitStop(long t) { return OptionalInt.of(0); }
        public int vcpuCount() { return 1; }
        public String backendDescription() { return "fake"; }
        public Map<String, Long> registers(int vcpu) { return Map.of("rip", 0x1000L); }
        public Map<ExitKind, Long> exitCounts() {
            Map<ExitKind, Long> m = new EnumMap<>(ExitKind.class);
            m.put(ExitKind.HLT, 3L);
            return m;
        }
    }

    @Test
    void lifecycle() throws VmException {
        FakeVm vm = new FakeVm();
        assertEquals("VM RUNNING, backend fake, 1 vcpu(s), 3 exits", VmCommand.apply(vm, "start", 0));
        assertThrows(VmException.class, () -> VmCommand.apply(vm, "start", 0));
        assertTrue(VmCommand.apply(vm, "pause", 0).startsWith("VM PAUSED"));
        assertTrue(VmCommand.apply(vm, "regs", 0).contains("rip = 0x0000000000001000"));
        CommandFailure f = assertThrows(CommandFailure.class, () -> VmCommand.apply(vm, "regs", 2));
        assertEquals("no vcpu 2 (the VM has 1)", f.getMessage());
        assertTrue(VmCommand.apply(vm, "exits", 0).contains("HLT"));
        assertTrue(VmCommand.apply(vm, "stop", 0).startsWith("VM STOPPED"));
    }
}
