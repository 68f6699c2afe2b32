package pcm.core.api.verify;

import java.util.List;

import org.osgi.annotation.versioning.ProviderType;

import pcm.core.api.event.PcmEvent;

/** A recorded sampling window: what a verifier replays. */
@ProviderType
public interface Window {

    String id();

    /** Backend that recorded it ("kvm", "soft"). */
    String backend();

    Snapshot initial();

    /** Every nondeterministic input of the window in position order, ending with an END event. */
    List<PcmEvent> events();

    Snapshot end();
}
