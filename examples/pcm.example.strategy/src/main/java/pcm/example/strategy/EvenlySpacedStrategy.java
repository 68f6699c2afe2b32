package pcm.example.strategy;

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
 * A fixed number of replay checkpoints per window, evenly spaced whatever the window's length (the built-in
 * {@code checkpoint} strategy spaces them by a fixed interval instead). Picked per verifier with
 * {@code strategies=["soft=evenly"]} in {@code pcm.verification}.
 */
@Component(configurationPid = EvenlySpacedStrategy.PID, property = ReplayStrategy.ID + "=" + EvenlySpacedStrategy.ID)
@Designate(ocd = EvenlySpacedStrategy.Config.class)
public class EvenlySpacedStrategy implements ReplayStrategy {

    public static final String ID = "evenly";
    public static final String PID = "pcm.example.strategy";

    @ObjectClassDefinition(name = "PCM example: evenly spaced replay checkpoints")
    public @interface Config {
        @AttributeDefinition(description = "Checkpoints per window (1..4096)", min = "1", max = "4096")
        int checkpoints() default 4;
    }

    private volatile int count;

    @Activate
    @Modified
    void configure(Config config) {
        count = Math.clamp(config.checkpoints(), 1, 4096);
    }

    @Override
    public String id() {
        return ID;
    }

    /** Positions strictly inside the window, ascending; none for a window too short to split. */
    @Override
    public long[] checkpoints(Window window) {
        long end = endPosition(window.events());
        int n = (int) Math.min(count, Math.max(0, end - 1));
        long[] positions = new long[n];
        for (int k = 0; k < n; k++) positions[k] = end * (k + 1) / (n + 1);
        return positions;
    }

    /** The END event's position: the window's length in instructions (0 if it has none; the verifier says why). */
    private static long endPosition(List<PcmEvent> events) {
        for (int i = events.size() - 1; i >= 0; i--) {
            if (events.get(i).kind() == EventKind.END) return Math.max(0, events.get(i).position());
        }
        return 0;
    }
}
