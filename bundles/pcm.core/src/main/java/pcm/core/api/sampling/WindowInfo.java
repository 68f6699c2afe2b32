package pcm.core.api.sampling;

import java.util.List;
import java.util.Map;

import pcm.core.api.event.EventKind;
import pcm.core.api.verify.Verdict;

/**
 * What the shell shows of a window.
 *
 * @param state RECORDING, COMPLETE (valid files), TORN (cut off, never valid) or FAILED
 */
public record WindowInfo(String id, String state, String backend, long instructions,
                         Map<EventKind, Long> eventCounts, long sizeBytes, List<Verdict> verdicts) {
}
