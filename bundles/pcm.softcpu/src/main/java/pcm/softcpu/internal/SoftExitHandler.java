package pcm.softcpu.internal;

import java.security.SecureRandom;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import pcm.core.api.exit.ExitContext;
import pcm.core.api.exit.ExitHandler;
import pcm.core.api.exit.ExitResult;
import pcm.core.api.vm.VmExit;

/**
 * What KVM answers by itself but the soft CPU leaves as exits: CPUID (a host-like table), RDTSC-class
 * instructions (a nanoTime-based TSC, SecureRandom for RDRAND/RDSEED) and the MSRs the interpreter does
 * not hold (a small per-vCPU MSR file). Ranked low so that any other handler takes precedence.
 */
@Component(service = ExitHandler.class, property = {
    ExitHandler.EXIT_KINDS + "=CPUID", ExitHandler.EXIT_KINDS + "=NONDETERMINISTIC_INSN",
    ExitHandler.EXIT_KINDS + "=MSR_READ", ExitHandler.EXIT_KINDS + "=MSR_WRITE",
    "service.ranking:Integer=-1000"})
@Designate(ocd = SoftExitHandler.Config.class)
public final class SoftExitHandler implements ExitHandler {

    @ObjectClassDefinition(name = "PCM soft CPU default exit handler")
    public @interface Config {
        @AttributeDefinition(description = "CPUID vendor string (12 characters); empty = the host's vendor_id")
        String cpuid_vendor() default "";

        @AttributeDefinition(description = "CPUID overrides: leaf[.subleaf]=eax,ebx,ecx,edx in hex, separated by ';'")
        String cpuid_entries() default "";

        @AttributeDefinition(description = "TSC frequency reported through RDTSC, Hz")
        long tsc_hz() default 2_000_000_000L;
    }

    static final int MSR_TSC = 0x10, MSR_APIC_BASE = 0x1B, MSR_MISC_ENABLE = 0x1A0;

    private final CpuidTable cpuid;
    private final long tscHz;
    private final long t0 = System.nanoTime();
    private final SecureRandom random = new SecureRandom();
    private final Map<Long, Long> msrs = new ConcurrentHashMap<>();

    @Activate
    public SoftExitHandler(Config config) {
        this(config.cpuid_vendor(), config.cpuid_entries(), config.tsc_hz());
    }

    SoftExitHandler(String vendor, String entries, long tscHz) {
        this.tscHz = tscHz > 0 ? tscHz : CpuidTable.DEFAULT_TSC_HZ;
        this.cpuid = CpuidTable.hostLike(vendor == null || vendor.isEmpty() ? null : vendor, CpuidTable.parse(entries),
                this.tscHz, CpuidTable.ADVERTISE_X87_AND_SSE);
    }

    SoftExitHandler() {
        this(null, null, 0);
    }

    long tsc() {
        long ns = System.nanoTime() - t0;
        return ns / 1_000_000_000L * tscHz + ns % 1_000_000_000L * tscHz / 1_000_000_000L;
    }

    @Override
    public ExitResult handle(VmExit exit, ExitContext context) {
        return switch (exit) {
            case VmExit.Cpuid c -> {
                CpuidTable.Entry e = cpuid.lookup(c.leaf(), c.subleaf());
                int ebx = e.ebx();
                if (c.leaf() == 1) ebx = (ebx & 0x00FFFFFF) | (context.vcpuId() & 0xFF) << 24; // initial APIC id
                yield new ExitResult.CpuidValue(e.eax(), ebx, e.ecx(), e.edx());
            }
            case VmExit.Nondeterministic n -> switch (n.insn()) {
                case RDTSC, RDTSCP -> ExitResult.value(tsc());
                case RDRAND, RDSEED -> ExitResult.value(random.nextLong());
                case RDPMC -> ExitResult.value(0);
            };
            case VmExit.MsrRead m -> ExitResult.value(readMsr(context.vcpuId(), m.index()));
            case VmExit.MsrWrite w -> {
                if (w.index() != MSR_TSC) msrs.put(msrKey(context.vcpuId(), w.index()), w.value());
                yield ExitResult.done();
            }
            default -> ExitResult.pass();
        };
    }

    private long readMsr(int vcpu, int index) {
        if (index == MSR_TSC) return tsc();
        Long v = msrs.get(msrKey(vcpu, index));
        if (v != null) return v;
        return switch (index) {
            case MSR_APIC_BASE -> 0xFEE00900L;
            case MSR_MISC_ENABLE -> 1;
            default -> 0;
        };
    }

    private static long msrKey(int vcpu, int index) { return ((long) vcpu << 32) | (index & 0xFFFFFFFFL); }
}
