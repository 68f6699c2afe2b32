package pcm.core.api.verify;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

import pcm.core.api.cpu.CpuIdentity;
import pcm.core.api.event.PcmEvent;
import pcm.core.api.tracer.Trace;

/** A recorded sampling window: what a verifier replays. */
@ProviderType
public interface Window {

    String id();

    /** Backend that recorded it ("kvm", "soft"). */
    String backend();

    /**
     * The recording CPU: vendor, signature, backend and the undefined-flag model the replay must use. A
     * window of an older log without the model gets the model of its vendor (CpuIdentity.flagsOfVendor). The
     * default, for windows that do not know, is an unknown CPU: verifiers answer INCONCLUSIVE where it matters.
     */
    default RecordingCpu cpu() { return new RecordingCpu(backend(), CpuIdentity.UNKNOWN); }

    Snapshot initial();

    /** Every nondeterministic input of the window in position order, ending with an END event. */
    List<PcmEvent> events();

    Snapshot end();

    /**
     * The traces of the tracers armed for the window (docs/sampling.md, "Tracers"), one per tracer: COMPLETE with
     * its records, or FAILED/UNAVAILABLE with the reason. Empty for a window recorded without tracers.
     *
     * @since 1.6
     */
    default List<Trace> traces() { return List.of(); }
}
