package pcm.core.internal.time;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "PCM guest clock", description = "Guest time for the platform's timers (PIT, local APIC, RTC) and, "
        + "on instruction time, the guest TSC")
public @interface ClockConfig {

    enum Source {
        /** Instruction time where the backend counts instructions exactly (the soft CPU), host time elsewhere. */
        AUTO,
        /** Always the host clock (the guest TSC stays the backend's). */
        HOST
    }

    @AttributeDefinition(name = "Source", description = "AUTO: retired instructions on the soft CPU (deterministic), "
            + "the host clock on KVM. HOST: the host clock everywhere.")
    Source source() default Source.AUTO;

    @AttributeDefinition(name = "TSC frequency (Hz)", min = "1000000", max = "8000000000",
            description = "Guest TSC rate; must match the loader's tscKhz (tsc_early_khz) so the kernel's idea of time agrees")
    long tscHz() default 2_000_000_000L;

    @AttributeDefinition(name = "TSC ticks per instruction", min = "1", max = "1000000",
            description = "On instruction time each retired instruction advances the TSC by this much "
                    + "(2 at 2 GHz: the guest believes it runs 1,000 M instructions a second)")
    int tscPerInstruction() default 2;

    @AttributeDefinition(name = "Poll period (ms)", min = "1", max = "1000",
            description = "On instruction time, while a timer is pending, the running vCPU is returned to its loop this "
                    + "often so the instruction count is read and due timers fire (the delay of an expiry in host time)")
    int pollMillis() default 1;
}
