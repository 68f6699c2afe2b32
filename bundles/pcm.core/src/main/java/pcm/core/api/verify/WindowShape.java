package pcm.core.api.verify;

import java.util.ArrayList;
import java.util.List;

import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;

/**
 * The structural rules every replayable window obeys, checked once here for all verifiers: both
 * snapshots with registers, special registers and memory of the same page-multiple size; events in
 * position order, each with a position, ending with exactly one END; a final snapshot taken at END.
 */
public final class WindowShape {

    private WindowShape() {}

    /**
     * @return the position of the window's END event (its instruction count)
     * @throws MalformedWindowException naming the first rule the window breaks
     */
    public static long endPosition(Window w) throws MalformedWindowException {
        List<String> missing = new ArrayList<>();
        Snapshot i = w.initial(), e = w.end();
        missingParts(missing, "initial", i);
        missingParts(missing, "final", e);
        if (w.events() == null) missing.add("event list");
        if (!missing.isEmpty()) throw new MalformedWindowException("window lacks " + String.join(", ", missing));
        long size = i.memory().size();
        if (size <= 0 || (size & 0xFFF) != 0) {
            throw new MalformedWindowException("initial memory size " + size + " is not a positive multiple of 4 KiB");
        }
        if (e.memory().size() != size) {
            throw new MalformedWindowException("memory sizes differ: initial " + size + ", final " + e.memory().size());
        }
        PcmEvent end = null;
        long last = 0;
        for (PcmEvent ev : w.events()) {
            if (ev == null || ev.kind() == null) throw new MalformedWindowException("null event in the log");
            if (ev.kind() == EventKind.STATE) continue;
            if (end != null) throw new MalformedWindowException("event " + ev.kind() + " after END");
            if (ev.position() < 0) {
                throw new MalformedWindowException(ev.kind() + " event without a position (the recorder could not count)");
            }
            if (ev.position() < last) {
                throw new MalformedWindowException("events out of position order: " + ev.kind() + "@" + ev.position()
                        + " after position " + last);
            }
            last = ev.position();
            if (ev.kind() == EventKind.END) end = ev;
        }
        if (end == null) throw new MalformedWindowException("no END event (the window was cut off)");
        if (e.position() != 0 && e.position() != end.position()) {
            throw new MalformedWindowException("final snapshot at position " + e.position() + " but END at " + end.position());
        }
        return end.position();
    }

    private static void missingParts(List<String> missing, String which, Snapshot s) {
        if (s == null) {
            missing.add(which + " snapshot");
            return;
        }
        if (s.registers() == null) missing.add(which + " registers");
        if (s.specialRegisters() == null) missing.add(which + " special registers");
        if (s.memory() == null) missing.add(which + " memory");
    }
}
