package pcm.tracers.internal.strategy;

import org.osgi.service.component.annotations.Component;

import pcm.core.api.verify.ReplayStrategy;
import pcm.core.api.verify.Window;

/**
 * {@code full}: replay the window from its initial snapshot to END, no checkpoints. A verifier that must
 * localise a divergence then traces from the start.
 */
@Component(service = ReplayStrategy.class, property = ReplayStrategy.ID + "=" + FullReplayStrategy.ID)
public final class FullReplayStrategy implements ReplayStrategy {

    public static final String ID = "full";

    @Override
    public String id() { return ID; }

    @Override
    public long[] checkpoints(Window window) { return new long[0]; }
}
