package pcm.ui.api.evidence;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Evidence bundles of the windows in the store (issue 16): export one to a file or into the collected bundles of the
 * data directory ({@code <data>/evidence/}, what the Redfish API serves), check one, import one into the store so the
 * window can be verified again on another PCM.
 */
@ProviderType
public interface Evidence {

    /** Writes the evidence bundle of a stored window to {@code target} (replaced if it exists). */
    EvidenceBundle export(String windowId, Path target) throws EvidenceException;

    /** Writes the evidence bundle of a stored window into the collected bundles. */
    EvidenceBundle collect(String windowId) throws EvidenceException;

    /** The collected bundles, oldest first (those that no longer check are left out and logged). */
    List<EvidenceBundle> collected();

    /** One collected bundle by its id, checked; empty if there is none of that id. */
    Optional<EvidenceBundle> collected(String id) throws EvidenceException;

    /** Reads an archive and checks every member against its manifest. */
    EvidenceBundle check(Path archive) throws EvidenceException;

    /**
     * Checks an archive and puts its window's files into the store. A window of the same id already there is
     * {@link EvidenceException.Problem#WINDOW_EXISTS}, unless {@code replace}: then its files and stored verdicts go first.
     */
    EvidenceBundle importWindow(Path archive, boolean replace) throws EvidenceException;
}
