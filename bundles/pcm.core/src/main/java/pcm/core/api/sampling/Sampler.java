package pcm.core.api.sampling;

import java.nio.file.Path;
import java.util.Collection;
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
     * Periodic windows skipped since start because verification was behind (its backlog at the configured limit):
     * never recorded, so never dropped, but windows the operator did not get.
     *
     * @since 1.5
     */
    default long skippedForVerificationBacklog() { return 0; }

    /**
     * Recent transitions of the state machine, oldest first.
     *
     * @since 1.1
     */
    default List<SamplingTransition> recentTransitions() { return List.of(); }

    /**
     * Every file window {@code id} needs to be loaded from another windows directory, relative to this one: its own
     * files ({@code <utc-time>_<id>_<kind>}, temporaries left out) and, for a window of snapshot format 1.3, the
     * page-store files its memory maps name ({@code pages/<sha256>.page}, those that are there). A map that cannot be
     * read adds no pages (the window's own files still go: a damaged window is evidence too). Empty if no window.
     *
     * @since 1.4
     */
    default List<Path> windowFiles(String id) throws SamplingException {
        throw new SamplingException("this sampler cannot list a window's files");
    }

    /**
     * Holds window {@code id} and the page-store files {@code pageFiles} (names as {@link #windowFiles} gives them)
     * against the store's clean-ups until closed: the page sweep keeps those pages and the orphan clean-up keeps the
     * window's snapshot files while it has no event log yet. An import takes it before writing the pages, writes the
     * window's files (its event log last), then closes it.
     *
     * @since 1.4
     */
    default ImportHold holdForImport(String id, Collection<Path> pageFiles) throws SamplingException {
        throw new SamplingException("this sampler cannot hold a window for an import");
    }

    /** A hold of {@link #holdForImport}; closing it twice is harmless. @since 1.4 */
    interface ImportHold extends AutoCloseable {
        /**
         * Checks that {@code file} (written by the import, not in the store yet) holds the page {@code pageFile} names:
         * its bytes are the page, raw or deflated as the store keeps it, with that SHA-256. Once in the store, every
         * window that comes to name that page gets its bytes: a bad one must never get there.
         *
         * @throws WindowDamagedException it does not (the file named as {@code pageFile})
         */
        void checkPage(Path pageFile, Path file) throws SamplingException;

        @Override
        void close();
    }
}
