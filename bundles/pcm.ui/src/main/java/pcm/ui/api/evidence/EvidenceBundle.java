package pcm.ui.api.evidence;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import pcm.core.api.verify.Verdict;

/**
 * An evidence bundle, checked: every member's SHA-256 matched its manifest.
 *
 * @param id            the bundle's name: its file name without {@code .zip}
 * @param file          where it is
 * @param formatVersion the format version it was written in ("1.0", or "1.1" with page-store members)
 * @param windowId      the window it holds
 * @param created       when it was written
 * @param sha256        SHA-256 of the whole archive (hex), to name it in a report
 * @param bytes         size of the archive
 * @param members       every member but the manifest, with its size and SHA-256
 * @param verdicts      the verdicts the window had where it was recorded
 * @param hostFacts     the recording PCM's host, flattened ("cpu.vendor", "kernel", "jvm.version", "bundle.pcm.core", ...)
 */
public record EvidenceBundle(String id, Path file, String formatVersion, String windowId, Instant created, String sha256,
                             long bytes, List<Member> members, List<Verdict> verdicts, Map<String, String> hostFacts) {

    public EvidenceBundle {
        members = List.copyOf(members);
        verdicts = List.copyOf(verdicts);
        hostFacts = Map.copyOf(hostFacts);
    }

    /** One member of the archive: its path in the archive, size and SHA-256 (hex). */
    public record Member(String path, long bytes, String sha256) {}
}
