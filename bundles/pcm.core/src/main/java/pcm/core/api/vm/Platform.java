package pcm.core.api.vm;

import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

import pcm.core.api.memory.GuestMemory;

/**
 * What a device model may ask of the machine it sits in (a service of the kernel). Devices stay
 * ignorant of vCPUs and backends: they power off, reset, print to the console and do DMA here.
 */
@ProviderType
public interface Platform {

    /** The guest asked to power off; the VM stops with {@code status} (0 = success). Any thread. */
    void powerOff(int status, String reason);

    /** The guest asked for a reset; PCM treats it as a stop with a distinct status. */
    void reset(String reason);

    /** Bytes the guest wrote to its console (UART); fanned out to {@link ConsoleListener} services. */
    void consoleOutput(byte[] bytes, int offset, int length);

    /** The running guest's memory, for DMA; empty when no VM runs. */
    Optional<GuestMemory> memory();

    /** The workload size parameter the guest was booted with (boot info, test device). */
    long guestParameter();
}
