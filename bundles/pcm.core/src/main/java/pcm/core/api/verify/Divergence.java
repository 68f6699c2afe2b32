package pcm.core.api.verify;

import java.util.List;

/**
 * Where a replay first left the recorded execution.
 *
 * @param position    instructions retired since the window began at the first divergent point
 * @param rip         RIP there
 * @param differences what differed, one human-readable item each (e.g. "rax: 0x1 != 0x3",
 *                    "page 0x1f000 offset 0x18")
 */
public record Divergence(long position, long rip, List<String> differences) {
    public Divergence {
        differences = List.copyOf(differences);
    }

    /** The same divergence with {@code more} items appended to what differed. */
    public Divergence with(List<String> more) {
        List<String> all = new java.util.ArrayList<>(differences);
        all.addAll(more);
        return new Divergence(position, rip, all);
    }
}
