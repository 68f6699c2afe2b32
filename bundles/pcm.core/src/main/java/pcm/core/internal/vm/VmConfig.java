package pcm.core.internal.vm;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** Configuration of the guest VM (PID pcm.vm). */
@ObjectClassDefinition(name = "PCM guest VM", description = "The one guest PCM runs: backend, memory, image, workload.")
public @interface VmConfig {

    @AttributeDefinition(name = "Backend", description = "CPU backend: auto picks kvm when /dev/kvm works, else soft.",
            options = {@Option(label = "auto", value = "auto"), @Option(label = "KVM", value = "kvm"),
                @Option(label = "software CPU", value = "soft")})
    String backend() default "auto";

    @AttributeDefinition(name = "Memory (MiB)", description = "Guest RAM from address 0; at most 3072 so that it stays "
            + "below the MMIO devices (the PCM test device is at 0xFEB00000). Enforced when the configuration is loaded.",
            min = "4", max = "3072")
    int memoryMiB() default 64;

    @AttributeDefinition(name = "Guest image", description = "Name of a GuestImage service (pcm.guest.name).")
    String guestImage() default "default";

    @AttributeDefinition(name = "Kernel", description = "A Linux bzImage or ELF vmlinux on the host to boot instead of the guest "
            + "image (a KernelLoader service, bundle pcm.boot, loads it); empty boots the guest image.", required = false)
    String kernel() default "";

    @AttributeDefinition(name = "Initial RAM disk", description = "cpio or cpio.gz for the kernel; empty: none.", required = false)
    String initrd() default "";

    @AttributeDefinition(name = "Kernel command line", description = "The operator's part; the loader adds what the platform needs "
            + "(console, TSC frequency).", required = false)
    String kernelCommandLine() default "";

    @AttributeDefinition(name = "Workload blocks", description = "Workload size parameter: 4 KiB blocks the default guest hashes.", min = "1")
    long workloadBlocks() default 16;

    @AttributeDefinition(name = "Timer (Hz)", description = "PIT rate the guest is asked to program; 0 = no timer.", min = "0", max = "10000")
    int timerHz() default 1000;

    @AttributeDefinition(name = "Expose RDRAND", description = "Tell the guest it may execute RDRAND/RDSEED (boot info flags).")
    boolean exposeRdrand() default true;

    @AttributeDefinition(name = "Hide from CPUID (leaf 1 ECX mask)", description = "Bits hidden from CPUID leaf 1 ECX, where the host honours it.")
    int cpuidHideLeaf1Ecx() default 0;

    @AttributeDefinition(name = "Hide from CPUID (leaf 7 EBX mask)")
    int cpuidHideLeaf7Ebx() default 0;
}
