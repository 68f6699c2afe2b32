package pcm.ui.internal.lifecycle;

import java.util.function.Function;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.core.api.sampling.RcpCommand;
import pcm.core.api.sampling.Sampler;
import pcm.core.api.sampling.SamplingException;
import pcm.core.api.sampling.SamplingState;
import pcm.core.api.verify.VerificationService;
import pcm.core.api.vm.Vm;
import pcm.core.api.vm.VmState;

/**
 * The steps of an orderly stop, before the framework stops its bundles (issue 16 item 1): the framework stops bundles
 * in an order that knows nothing of PCM — the KVM backend and the verifiers before the kernel — so the kernel has to
 * be quiet first. In order: no new windows (periodic sampling off); the open window closed where the guest is and
 * stored (never torn); the guest stopped; the verifiers given time to finish the windows recorded (verdicts stored).
 * Each step is bounded; a step that cannot be done is logged and the next one runs.
 */
public final class OrderlyShutdown {

    private static final Logger LOG = LoggerFactory.getLogger(OrderlyShutdown.class);
    private static final long POLL_MILLIS = 20;

    private OrderlyShutdown() {}

    public static void quiesce(BundleContext context, ShutdownConfig config) throws InterruptedException {
        with(context, Sampler.class, s -> {
            closeWindow(s, config.windowCloseMillis());
            return null;
        });
        with(context, Vm.class, vm -> {
            if (vm.state() == VmState.RUNNING || vm.state() == VmState.PAUSED) {
                LOG.info("shutdown: stopping the guest");
                stopGuest(vm, config.guestStopMillis());
                if (vm.state() != VmState.STOPPED) LOG.warn("shutdown: the guest did not stop within {} ms", config.guestStopMillis());
            }
            return null;
        });
        with(context, VerificationService.class, v -> {
            try {
                if (!v.awaitIdle(config.verifyMillis()))
                    LOG.warn("shutdown: verification not finished within {} ms; windows without a verdict stay COMPLETE (pcm:verify checks them)",
                            config.verifyMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return null;
        });
        if (Thread.interrupted()) throw new InterruptedException();
    }

    /**
     * Periodic sampling off (which closes a window it was recording); a window still being prepared or recorded is
     * closed where the guest is and stored; then waits until the sampler is IDLE (the window handed to the verifiers).
     */
    public static void closeWindow(Sampler s, long timeoutMillis) {
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        boolean interrupted = false; // a second Ctrl-C must not leave the window half closed: finish, then report it
        // A window in ENTRY is let start first: stopping periodic sampling gives an ENTRY window up, and on the soft
        // backend one given up just as it starts recording is left FAILED (a log without snapshots); closed once it
        // records, it is a COMPLETE window of fewer instructions.
        while (s.state() == SamplingState.ENTRY && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        s.stopPeriodic();
        // ENTRY lasts until the guest reaches the start position: it moves on to SAMPLING or gives up
        while (!(s.state() == SamplingState.IDLE && s.currentWindow().isEmpty())) {
            if (System.nanoTime() - deadline > 0) {
                LOG.warn("shutdown: the sampler is still {} after {} ms", s.state(), timeoutMillis);
                break;
            }
            if (s.state() == SamplingState.SAMPLING) {
                String id = s.currentWindow().orElse("?");
                try {
                    s.command(RcpCommand.MTA0_CHK_END);
                    LOG.info("shutdown: closed window {} where the guest is", id);
                } catch (SamplingException moved) {
                    // it closed by itself meanwhile (its end, its timeout): fine
                }
            }
            try {
                Thread.sleep(POLL_MILLIS);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** Stops the guest and waits for it, at most {@code timeoutMillis}, whatever interrupts come meanwhile. */
    public static void stopGuest(Vm vm, long timeoutMillis) {
        boolean interrupted = Thread.interrupted();
        vm.stop();
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000;
        while (true) {
            long left = (deadline - System.nanoTime()) / 1_000_000;
            try {
                if (left <= 0 || vm.awaitStop(left).isPresent()) break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    private static <S> void with(BundleContext context, Class<S> type, Function<S, Void> step) {
        try {
            ServiceReference<S> ref = context.getServiceReference(type);
            S service = ref == null ? null : context.getService(ref);
            if (service == null) return;
            try {
                step.apply(service);
            } finally {
                context.ungetService(ref);
            }
        } catch (IllegalStateException | IllegalArgumentException stopping) {
            // the bundle or framework is stopping already: nothing left to do in this step
        } catch (RuntimeException e) {
            LOG.warn("shutdown: {} step failed: {}", type.getSimpleName(), e.toString());
        }
    }
}
