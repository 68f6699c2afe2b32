package pcm.devices.internal;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import pcm.core.api.memory.GuestMemory;
import pcm.core.api.vm.Platform;

/** Records what devices ask of the machine. */
public final class FakePlatform implements Platform {
    public final ByteArrayOutputStream console = new ByteArrayOutputStream();
    public final List<String> resets = new ArrayList<>();
    public final List<Integer> powerOffs = new ArrayList<>();
    public final List<String> powerOffReasons = new ArrayList<>();
    public long parameter = 7;
    /** Guest RAM for DMA; null: no VM runs. */
    public volatile GuestMemory memory;

    @Override public synchronized void powerOff(int status, String reason) {
        powerOffs.add(status);
        powerOffReasons.add(reason);
    }
    @Override public synchronized void reset(String reason) { resets.add(reason); }
    @Override public synchronized void consoleOutput(byte[] bytes, int offset, int length) { console.write(bytes, offset, length); }
    @Override public Optional<GuestMemory> memory() { return Optional.ofNullable(memory); }
    @Override public long guestParameter() { return parameter; }
}
