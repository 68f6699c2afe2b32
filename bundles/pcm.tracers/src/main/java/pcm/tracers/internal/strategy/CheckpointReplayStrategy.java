package pcm.tracers.internal.strategy;

import java.util.List;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Modified;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

import pcm.core.api.event.EventKind;
import pcm.core.api.event.PcmEvent;
import pcm.core.api.verify.ReplayStrategy;
import pcm.core.api.verify.Window;

/**
 * {@code checkpoint}: checkpoints every {@code interval} instructions (at most {@code max_checkpoints}, the
 * interval grows for long windows). Verifiers sample state there; the soft RCP uses them to narrow a
 * final-state mismatch to the interval where it must trace step by step.
 */
@Component(service = ReplayStrategy.class, property = ReplayStrategy.ID + "=" + CheckpointReplayStrategy.ID)
@Designate(ocd = CheckpointReplayStrategy.Config.class)
public final class CheckpointReplayStrategy implements ReplayStrategy {

    public static final String ID = "checkpoint";

    @ObjectClassDefinition(name = "PCM replay strategy: checkpoints")
    public @interface Config {
        @AttributeDefinition(description = "Instructions between checkpoints (>= 1)")
        long interval() default 1_000_000L;

        @AttributeDefinition(description = "Most checkpoints per window; the interval grows to respect it")
        int max_checkpoints() default 4096;
    }

    private volatile long interval;
    private volatile int max;

    @Activate
    public CheckpointReplayStrategy(Config c) {
        modified(c);
    }

    public CheckpointReplayStrategy(long interval, int maxCheckpoints) {
        set(interval, maxCheckpoints);
    }

    @Modified
    void modified(Config c) {
        set(c.interval(), c.max_checkpoints());
    }

    private void set(long i, int m) {
        interval = Math.max(1, i);
        max = Math.max(1, m);
    }

    @Override
    public String id() { return ID; }

    @Override
    public long[] checkpoints(Window window) {
        long end = endPosition(window);
        if (end <= 1) return new long[0];
        long step = Math.max(interval, (end + max - 1) / max);
        int n = (int) Math.min(max, (end - 1) / step);
        long[] c = new long[n];
        for (int k = 0; k < n; k++) c[k] = (k + 1) * step;
        return c;
    }

    /** The END event's position, 0 if the window has none (the verifier reports that). */
    static long endPosition(Window w) {
        List<PcmEvent> ev = w == null ? null : w.events();
        if (ev == null) return 0;
        for (int i = ev.size() - 1; i >= 0; i--) {
            PcmEvent e = ev.get(i);
            if (e != null && e.kind() == EventKind.END) return Math.max(0, e.position());
        }
        return 0;
    }
}
