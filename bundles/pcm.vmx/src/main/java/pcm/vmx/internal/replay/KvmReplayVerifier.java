package pcm.vmx.internal.replay;

import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import pcm.core.api.cpu.CpuIdentity;
import pcm.core.api.verify.RecordingCpu;
import pcm.core.api.verify.Divergence;
import pcm.core.api.verify.Outcome;
import pcm.core.api.verify.ReplayStrategy;
import pcm.core.api.verify.ReplayVerifier;
import pcm.core.api.verify.Verdict;
import pcm.core.api.verify.Window;
import pcm.vmx.internal.kvm.KvmHypervisor;

/**
 * The KVM RCP ({@code pcm.rcp.id=kvm}): replays a window on a KVM VM, new or kept from an earlier replay and reset
 * to new ({@link ReplayMachines}) (memory from the initial image,
 * registers, special registers, FPU, MSRs restored), stepped by the {@code kvm-step} counter to each logged
 * event's position. Inputs that do not exit on KVM (RDTSC, RDTSCP, RDRAND, RDSEED, RDPMC, CPUID, RDMSR) are
 * carried out by the VMM with the logged result; port and MMIO reads are answered from the log in the exit
 * (no device is asked); MMIO writes are compared; DMA bytes are written at their position; interrupts are
 * injected at their position (the vCPU must be able to take them). At END: GPRs, RIP, RFLAGS, segment
 * selectors and bases, CR0/3/4, EFER and every RAM byte against the final snapshot. Register checkpoints in
 * the log are compared as the counter passes them (it reports its registers before every step), so the first
 * disagreeing checkpoint or logged event is the divergence; otherwise a final-state mismatch is reported at the
 * position up to which every event matched. The replay strategy is not used: this verifier localises by the
 * log's checkpoints only (the soft verifier re-replays from a strategy's checkpoints). Never throws for a bad
 * window.
 */
@Component(service = ReplayVerifier.class, property = ReplayVerifier.ID + "=" + KvmReplayVerifier.ID, configurationPid = "pcm.rcp.kvm")
@Designate(ocd = KvmReplayVerifier.Config.class)
public final class KvmReplayVerifier implements ReplayVerifier {

    public static final String ID = "kvm";

    @ObjectClassDefinition(name = "PCM kvm RCP", description = "Replays windows on a fresh KVM VM, stepped instruction by instruction")
    public @interface Config {
        @AttributeDefinition(min = "1", description = "Seconds one window's replay may take; past them the window is INCONCLUSIVE, "
                + "naming the position reached (a replay on hardware takes milliseconds; nested under QEMU's emulator, seconds)")
        long maxReplaySeconds() default DEFAULT_MAX_REPLAY_SECONDS;
    }

    static final long DEFAULT_MAX_REPLAY_SECONDS = 120;

    private KvmHypervisor hv;
    /** Replay VMs kept between windows (see {@link ReplayMachines} for why). */
    private final ReplayMachines machines = new ReplayMachines();
    private volatile long maxReplayNanos = DEFAULT_MAX_REPLAY_SECONDS * 1_000_000_000L;

    @Activate
    @Modified
    void configure(Config config) {
        maxReplayNanos = Math.max(1, config.maxReplaySeconds()) * 1_000_000_000L;
    }

    /** Outside OSGi (tests): the time one replay may take. */
    public void maxReplayNanos(long nanos) {
        maxReplayNanos = nanos;
    }

    public KvmReplayVerifier() {}

    /** Outside OSGi (tests): with this hypervisor. */
    public KvmReplayVerifier(KvmHypervisor hv) {
        this.hv = hv;
    }

    private synchronized KvmHypervisor hypervisor() {
        if (hv == null) hv = KvmHypervisor.standard();
        return hv;
    }

    @Deactivate
    synchronized void deactivate() {
        machines.close();
        if (hv != null) hv.close();
        hv = null;
    }

    @Override
    public String id() { return ID; }

    @Override
    public Verdict verify(Window window, ReplayStrategy strategy, LongConsumer progress) {
        String wid = "?";
        long insns = -1;
        try {
            if (window == null) return Verdict.inconclusive(ID, wid, -1, "no window");
            wid = String.valueOf(window.id());
            KvmHypervisor h = hypervisor();
            if (h.system() == null) return Verdict.inconclusive(ID, wid, -1, "KVM is not available: " + h.hostInfo().problem());
            String mismatch = flagModelMismatch(window.cpu(), CpuIdentity.host());
            if (mismatch != null) return Verdict.inconclusive(ID, wid, -1, mismatch);
            KvmReplay r;
            try {
                r = new KvmReplay(window, h, machines);
            } catch (KvmReplay.Stop s) {
                return stopped(s, wid, insns);
            }
            try (r) {
                insns = r.endPosition;
                long t0 = System.nanoTime();
                r.progress(progress);
                r.run(maxReplayNanos);
                List<String> diff = r.compare();
                long ms = (System.nanoTime() - t0) / 1_000_000;
                if (progress != null) {
                    try { progress.accept(insns); } catch (RuntimeException e) { /* ignore */ }
                }
                Divergence cp = r.registerDivergence();
                if (cp != null) {
                    // registers disagreed at a checkpoint: that is the earliest evidence this verifier has
                    return Verdict.diverged(ID, wid, insns, cp.with(List.of(diff.isEmpty()
                            ? "final state equal: the guest overwrote the divergent values before the window ended"
                            : "final state: " + String.join("; ", diff.subList(0, Math.min(diff.size(), 8))))));
                }
                if (diff.isEmpty()) {
                    return new Verdict(Outcome.MATCH, ID, wid, insns, Optional.empty(), "replayed " + insns
                            + " instructions on KVM in " + ms + " ms, " + window.events().size() + " events; registers and "
                            + (window.end().memory().size() >> 12) + " pages equal");
                }
                Divergence byDma = r.dmaBound(diff);
                return Verdict.diverged(ID, wid, insns, byDma != null ? byDma
                        : new Divergence(r.consistentUpTo, window.end().registers().rip(), diff));
            } catch (KvmReplay.Stop s) {
                Divergence cp = r.registerDivergence();
                if (cp != null && (s.divergence == null || cp.position() <= s.divergence.position())) {
                    return Verdict.diverged(ID, wid, insns, cp);
                }
                return stopped(s, wid, insns);
            }
        } catch (Throwable t) {
            if (t instanceof VirtualMachineError && !(t instanceof OutOfMemoryError)) throw (VirtualMachineError) t;
            return Verdict.inconclusive(ID, wid, insns, "replay failed: " + t);
        }
    }

    /**
     * Why this host's CPU cannot replay the window, or null: the replay executes on the host, so the flags the
     * architecture leaves undefined come out as the host's model; a window recorded under another model (or
     * an unknown one) would differ there without any fault.
     */
    static String flagModelMismatch(RecordingCpu recorded, CpuIdentity host) {
        String want = recorded.undefinedFlags(), have = host.undefinedFlags();
        if (!want.isEmpty() && want.equals(have)) return null;
        return "the recording CPU's undefined-flag model is " + (want.isEmpty() ? "unknown" : "'" + want + "'") + " ("
                + recorded.describe() + "); this host's CPU (" + (host.vendor().isEmpty() ? "unknown vendor" : host.vendor())
                + ") produces " + (have.isEmpty() ? "an unknown model" : "'" + have + "'");
    }

    private static Verdict stopped(KvmReplay.Stop s, String wid, long insns) {
        return s.divergence != null ? Verdict.diverged(ID, wid, insns, s.divergence) : Verdict.inconclusive(ID, wid, insns, s.why);
    }
}
