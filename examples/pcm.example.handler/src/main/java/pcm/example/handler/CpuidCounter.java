package pcm.example.handler;

import java.util.concurrent.atomic.AtomicLong;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.core.api.exit.ExitContext;
import pcm.core.api.exit.ExitHandler;
import pcm.core.api.exit.ExitResult;
import pcm.core.api.vm.VmExit;

/**
 * Counts the guest's CPUID exits and passes each on: ranked above the kernel's CPUID handler, it sees every one
 * first, returns {@link ExitResult#pass()} and the kernel answers as before, so the guest notices nothing. Logs the
 * count every {@code logEvery} exits and when it leaves.
 */
@Component(configurationPid = CpuidCounter.PID,
        property = {ExitHandler.EXIT_KINDS + "=CPUID", "service.ranking:Integer=100"})
@Designate(ocd = CpuidCounter.Config.class)
public class CpuidCounter implements ExitHandler {

    public static final String PID = "pcm.example.cpuidcounter";
    private static final Logger LOG = LoggerFactory.getLogger(CpuidCounter.class);

    @ObjectClassDefinition(name = "PCM example: CPUID exit counter")
    public @interface Config {
        @AttributeDefinition(description = "Log the count every this many CPUID exits (>= 1)", min = "1")
        long logEvery() default 1024;
    }

    private final AtomicLong count = new AtomicLong();
    private final long logEvery;

    @Activate
    public CpuidCounter(Config config) {
        logEvery = Math.max(1, config.logEvery());
    }

    @Override
    public ExitResult handle(VmExit exit, ExitContext context) {
        long n = count.incrementAndGet(); // vCPU threads: no lock, no blocking, nothing slow here
        if (n % logEvery == 0) {
            LOG.info("example handler: {} CPUID exits counted (last leaf 0x{} at instruction {})", n,
                    Integer.toHexString(((VmExit.Cpuid) exit).leaf()), context.instructionCount());
        }
        return ExitResult.pass();
    }

    @Deactivate
    void deactivate() {
        LOG.info("example handler: leaving after {} CPUID exits", count.get());
    }
}
