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

    /**
     * Records one window now (entry, start, end, exit) and returns its id once it is closed.
     * {@code instructions <= 0} means the configured default length, {@code timeoutMillis <= 0} the
     * configured window timeout; a window still open at the timeout is closed where the guest is.
     */
    String sampleNow(long instructions, long timeoutMillis) throws SamplingException;

    /** Starts periodic sampling with the policy of that id (or the default when null). */
    void startPeriodic(String policyId) throws SamplingException;

    void stopPeriodic();

    boolean periodicRunning();

    /** Windows in the store, oldest first. */
    List<WindowInfo> windows();

    /**
     * A complete window, loaded for replay; empty if the store has no window of that id.
     *
     * @throws WindowDamagedException one of the window's files is damaged, cut short or missing
     */
    Optional<Window> window(String id) throws SamplingException;

    /**
     * The id of the window being recorded or waiting for replay, empty in IDLE and ENTRY.
     *
     * @since 1.1
     */
    default Optional<String> currentWindow() { return Optional.empty(); }

    /**
     * Recent transitions of the state machine, oldest first.
     *
     * @since 1.1
     */
    default List<SamplingTransition> recentTransitions() { return List.of(); }
}
