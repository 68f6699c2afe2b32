package pcm.example.rcp;

import java.util.function.LongConsumer;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

import pcm.core.api.verify.ReplayStrategy;
import pcm.core.api.verify.ReplayVerifier;
import pcm.core.api.verify.Verdict;
import pcm.core.api.verify.Window;

/**
 * An RCP variant built on another: replays with the software RCP ({@code pcm.rcp.id=soft}) and signs its verdict
 * with its own id, the replay strategy it was given and that strategy's checkpoints for the window, the audit trail
 * a customer's variant might add. Enabled with {@code verifiers=["soft","audited"]} in {@code pcm.verification}; it
 * is only active while the soft verifier is (a mandatory reference).
 */
@Component(property = ReplayVerifier.ID + "=" + AuditedSoftVerifier.ID)
public class AuditedSoftVerifier implements ReplayVerifier {

    public static final String ID = "audited";

    @Reference(target = "(" + ReplayVerifier.ID + "=soft)")
    private ReplayVerifier soft;

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Verdict verify(Window window, ReplayStrategy strategy, LongConsumer progress) {
        Verdict v = soft.verify(window, strategy, progress);
        int checkpoints;
        try {
            checkpoints = strategy.checkpoints(window).length;
        } catch (RuntimeException e) { // another bundle's code: its failure is part of the audit, not ours
            checkpoints = -1;
        }
        String audit = "audited: soft " + v.outcome() + ", strategy " + strategy.id() + " (" + checkpoints + " checkpoints)";
        String detail = v.detail().isEmpty() ? audit : audit + "; " + v.detail();
        return new Verdict(v.outcome(), ID, v.windowId(), v.instructions(), v.divergence(), detail);
    }
}
