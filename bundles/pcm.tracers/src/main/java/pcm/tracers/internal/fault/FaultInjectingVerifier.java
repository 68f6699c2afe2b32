package pcm.tracers.internal.fault;

import java.util.Map;
import java.util.function.LongConsumer;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import pcm.core.api.verify.ReplayStrategy;
import pcm.core.api.verify.ReplayVerifier;
import pcm.core.api.verify.Verdict;
import pcm.core.api.verify.Window;

/**
 * A self-test RCP ({@code pcm.rcp.id=fault-injection}), disabled until configured: corrupts every window
 * it is given (see {@link FaultInjector}) and hands it to the real verifier picked by {@code target.target}
 * (e.g. {@code (pcm.rcp.id=soft)}). A healthy verifier answers DIVERGED at the injected position.
 */
@Component(service = ReplayVerifier.class, configurationPolicy = ConfigurationPolicy.REQUIRE,
        property = ReplayVerifier.ID + "=" + FaultInjectingVerifier.ID)
@Designate(ocd = FaultInjectingVerifier.Config.class)
public final class FaultInjectingVerifier implements ReplayVerifier {

    public static final String ID = "fault-injection";

    @ObjectClassDefinition(name = "PCM fault injection (self-test RCP)")
    public @interface Config {
        @AttributeDefinition(description = "Filter of the verifier that gets the corrupted windows")
        String target_target() default "(pcm.rcp.id=soft)";

        @AttributeDefinition(description = "input: XOR 'mask' into the value of input event 'index'; memory: write "
                + "byte 'byteValue' at 'gpa' when 'position' instructions have retired; register: XOR 'mask' into register "
                + "'index' (0 rax .. 15 r15, 16 rip, 17 rflags) when 'position' instructions have retired (needs the "
                + "window's register checkpoint there); store: XOR 'mask' into the data of the 'index'-th store the guest "
                + "overwrites before reading it, in the window's memory trace (a wrong store hidden by a later overwrite)")
        String mode() default "input";

        @AttributeDefinition(description = "input: the n-th input event; register: 0 rax .. 15 r15, 16 rip, 17 rflags, "
                + "or -1 for the first general register the instruction at 'position' does not write (so the fault "
                + "cannot be overwritten by it)")
        int index() default 0;

        long mask() default 1;

        long position() default 0;

        long gpa() default 0;

        // not "value": DS names that element of a property type after the annotation ("config"), silently
        @AttributeDefinition(description = "memory: the byte written at 'gpa' (0-255)", min = "0", max = "255")
        int byteValue() default 0xFF;
    }

    private final ReplayVerifier target;
    private final Config config;
    private final String id;

    /**
     * Several instances (factory configurations of this PID) can run side by side: each names itself with its
     * configuration's {@code pcm.rcp.id} (which DS also publishes as the service property), e.g. one per target.
     */
    @Activate
    public FaultInjectingVerifier(@Reference(name = "target") ReplayVerifier target, Config config, Map<String, Object> props) {
        this.target = target;
        this.config = config;
        Object configured = props.get(ReplayVerifier.ID);
        this.id = configured instanceof String s && !s.isBlank() ? s : ID;
    }

    @Override
    public String id() { return id; }

    @Override
    public Verdict verify(Window window, ReplayStrategy strategy, LongConsumer progress) {
        if (window == null || window.events() == null) return target.verify(window, strategy, progress);
        FaultInjector.Corrupted w;
        String nothingToCorrupt; // the INCONCLUSIVE reason when w is null
        switch (config.mode()) {
            case "memory" -> {
                w = FaultInjector.memoryByte(window, config.position(), config.gpa(), (byte) config.byteValue());
                nothingToCorrupt = "no position " + config.position() + " (the window is shorter) or no byte 0x"
                        + Long.toHexString(config.gpa()) + " to corrupt";
            }
            case "store" -> {
                w = FaultInjector.hiddenWrongStore(window, config.index(), config.mask());
                nothingToCorrupt = "no memory trace, or no store " + config.index() + " the guest overwrites unread, to corrupt";
            }
            case "register" -> {
                w = FaultInjector.registerBits(window, config.position(), config.index(), config.mask());
                nothingToCorrupt = "no instruction at position " + config.position() + " (or no register the window leaves"
                        + " alone around it) to corrupt";
            }
            default -> {
                w = FaultInjector.corruptInput(window, config.index(), config.mask());
                nothingToCorrupt = "no input event " + config.index() + " to corrupt";
            }
        }
        if (w == null) return Verdict.inconclusive(id, window.id(), -1, nothingToCorrupt);
        Verdict v = target.verify(w, strategy, progress);
        String fault = "injected: " + w.fault() + " (verified by " + v.rcp() + ")";
        // the verdict under this verifier's id (so it is not mistaken for the target's verdict on the real window)
        return new Verdict(v.outcome(), id, window.id(), v.instructions(), v.divergence(),
                v.detail().isEmpty() ? fault : v.detail() + "; " + fault);
    }
}
