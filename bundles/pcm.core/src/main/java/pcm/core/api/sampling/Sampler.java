package pcm.core.api.sampling;

import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

import pcm.core.api.verify.Window;

/** The kernel's sampling service: the state machine, windows on demand or by policy, the window store. */
@ProviderType
public interface Sampler {

    SamplingState state();

    /** Drives the state machine by one RCP command; a command that does not fit the state is an error. */
    void command(RcpCommand command) throws SamplingException;

    /** Records one window now (entry, start, end, exit) and returns its id once it is closed. */
    String sampleNow(long instructions, long timeoutMillis) throws SamplingException;

    /** Starts periodic sampling with the policy of that id (or the default when null). */
    void startPeriodic(String policyId) throws SamplingException;

    void stopPeriodic();

    boolean periodicRunning();

    /** Windows in the store, oldest first. */
    List<WindowInfo> windows();

    /** A complete window, loaded for replay. */
    Optional<Window> window(String id) throws SamplingException;
}
