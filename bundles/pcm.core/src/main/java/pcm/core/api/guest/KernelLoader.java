package pcm.core.api.guest;

import java.nio.file.Path;
import java.util.Optional;

import org.osgi.annotation.versioning.ConsumerType;

import pcm.core.api.cpu.Registers;
import pcm.core.api.cpu.SpecialRegisters;
import pcm.core.api.memory.GuestMemory;
import pcm.core.api.vm.VmException;

/**
 * Loads an operating-system kernel the operator names (a Linux bzImage or ELF vmlinux, issue 14) into
 * guest RAM with everything its boot protocol needs (zero page, page tables, firmware tables, initrd),
 * and says how to enter it. The VM uses it instead of a {@link GuestImage} when its configuration names
 * a kernel; the pcm.boot bundle provides it.
 */
@ConsumerType
public interface KernelLoader {

    /** What to boot: files on the host, the operator's command line and the guest RAM size. */
    record Request(Path kernel, Optional<Path> initrd, String commandLine, long ramBytes) {
        public Request {
            if (kernel == null || initrd == null || commandLine == null) throw new IllegalArgumentException("null field");
        }
    }

    /** The vCPU state to start from, and one line for logs and reports. */
    record Boot(Registers registers, SpecialRegisters specialRegisters, String description) {}

    /**
     * Writes the kernel and its boot structures into {@code ram} (zeroed, {@code request.ramBytes()} long
     * from address 0). A kernel or initrd that cannot be booted is a {@link VmException} naming what is wrong.
     */
    Boot load(Request request, GuestMemory ram) throws VmException;
}
