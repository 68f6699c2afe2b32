package pcm.softcpu.internal;

import java.util.HashSet;
import java.util.Set;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import pcm.core.api.cpu.HostInfo;
import pcm.core.api.cpu.Hypervisor;
import pcm.core.api.cpu.VirtualMachine;

/** The software x86-64 CPU backend: runs anywhere; interprets, and translates hot blocks (docs/block-compiler.md). */
@Component(service = Hypervisor.class, property = Hypervisor.ID + "=" + SoftHypervisor.ID)
@Designate(ocd = SoftHypervisor.Config.class)
public final class SoftHypervisor implements Hypervisor {

    public static final String ID = "soft";

    @ObjectClassDefinition(name = "PCM soft CPU backend")
    public @interface Config {
        @AttributeDefinition(description = "MSR indices (hex, separated by ',' or spaces) the interpreter does not hold whose "
                + "guest RDMSR/WRMSR leave as exits to the VMM (answered by the exit handlers, recorded as inputs); "
                + "the guest's access to any other unknown MSR raises #GP(0). Default: TSC, UCODE_REV, MISC_ENABLE")
        String msr_forwarded() default "10,8b,1a0";

        @AttributeDefinition(description = "Translate hot guest code into JVM bytecode (the block compiler, "
                + "docs/block-compiler.md): same instruction counts, exits, windows and verdicts as the interpreter, "
                + "faster. On by default; false runs every instruction in the interpreter. The JVM option "
                + "-Dpcm.softcpu.jit=true|false, where given, overrides this (and also switches the soft verifier's replays)")
        boolean block_compiler() default true;
    }

    private final Set<Integer> forwardedMsrs;
    private final boolean blockCompiler;

    @Activate
    public SoftHypervisor(Config config) {
        this.forwardedMsrs = parseMsrs(config.msr_forwarded());
        this.blockCompiler = BlockCompiler.enabled(config.block_compiler());
    }

    public SoftHypervisor() {
        this.forwardedMsrs = ModelSpecificRegisters.DEFAULT_FORWARDED_MSRS;
        this.blockCompiler = BlockCompiler.enabled(true);
    }

    /** Parses a list of hex MSR indices; a bad entry is an {@link IllegalArgumentException} naming it. */
    static Set<Integer> parseMsrs(String spec) {
        Set<Integer> out = new HashSet<>();
        if (spec == null || spec.isBlank()) return out;
        for (String item : spec.trim().split("[,;\\s]+")) {
            String h = item.startsWith("0x") || item.startsWith("0X") ? item.substring(2) : item;
            try {
                out.add(Integer.parseUnsignedInt(h, 16));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("msr_forwarded: '" + item + "' is not a hex MSR index", e);
            }
        }
        return Set.copyOf(out);
    }

    @Override
    public String id() { return ID; }

    @Override
    public HostInfo hostInfo() {
        return new HostInfo(true, HostInfo.Kind.SOFTWARE,
                "software x86-64 interpreter (64-bit long mode, integer instructions, exact instruction count"
                        + (blockCompiler ? ", block compiler on" : ", block compiler off") + ")", null);
    }

    @Override
    public VirtualMachine createVm() { return new SoftVm(forwardedMsrs, blockCompiler); }
}
