package pcm.core.internal.sampling;

import java.util.List;
import java.util.Optional;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.core.api.sampling.SamplingException;
import pcm.core.api.sampling.SamplingPolicy;
import pcm.core.api.sampling.SamplingState;
import pcm.core.internal.vm.SamplingTarget;

/**
 * Periodic sampling of one {@link SamplingEngine}: a scheduler thread that records a window of the policy's length
 * after each of its pauses. Policies are services that come and go: periodic sampling that is wanted (the
 * configuration's {@code periodic=true}) starts when its policy is there and pauses while it is gone.
 */
final class PeriodicSampling {

    private static final Logger LOG = LoggerFactory.getLogger(SamplingEngine.class);

    private final SamplingEngine engine;
    private final SamplingEngine.Env env;
    private final Object lock = new Object();
    private volatile Thread thread;
    /** The policy periodic sampling is to run with (null: not wanted); it starts when that policy is there. */
    private String wantedPolicy;

    PeriodicSampling(SamplingEngine engine, SamplingEngine.Env env) {
        this.engine = engine;
        this.env = env;
    }

    /** Starts periodic sampling now; fails if the policy is not there (an operator's command). */
    void start(String policyId) throws SamplingException {
        String id = policyId == null || policyId.isBlank() ? engine.settings().defaultPolicy() : policyId;
        policy(id);
        synchronized (lock) {
            wantedPolicy = id;
            stopThread();
            startThread(id);
        }
    }

    /**
     * Periodic sampling with that policy (the default when null), now if the policy is there, else as soon as it
     * appears ({@link #policiesChanged()}): the configuration's {@code periodic=true}.
     */
    void want(String policyId) {
        String id = policyId == null || policyId.isBlank() ? engine.settings().defaultPolicy() : policyId;
        synchronized (lock) {
            wantedPolicy = id;
            if (thread != null) return;
            if (hasPolicy(id)) startThread(id);
            else LOG.info("periodic sampling waits for sampling policy '{}'", id);
        }
    }

    /** A policy came or went: periodic sampling starts when its policy is there and stops when it is gone. */
    void policiesChanged() {
        synchronized (lock) {
            String id = wantedPolicy;
            if (id == null) return;
            boolean there = hasPolicy(id);
            if (there && thread == null) {
                startThread(id);
            } else if (!there && thread != null) {
                stopThread();
                LOG.info("periodic sampling paused: sampling policy '{}' is gone; it resumes when the policy returns", id);
            }
        }
    }

    private boolean hasPolicy(String id) {
        return env.policies().stream().anyMatch(p -> id.equals(p.id()));
    }

    private void startThread(String id) {
        Thread t = Thread.ofPlatform().daemon().name("pcm-sampling-scheduler").unstarted(() -> periodicLoop(id));
        thread = t;
        t.start();
        LOG.info("periodic sampling started with policy {}", id);
    }

    private SamplingPolicy policy(String id) throws SamplingException {
        List<SamplingPolicy> all = env.policies();
        return all.stream().filter(p -> id.equals(p.id())).findFirst().orElseThrow(() -> new SamplingException(
                "no sampling policy '" + id + "' (have: " + (all.isEmpty() ? "none" : all.stream().map(SamplingPolicy::id).toList()) + ")"));
    }

    private void periodicLoop(String id) {
        Thread me = Thread.currentThread();
        // the first window opens at once where a guest runs: a short guest (the main job's takes ~0.1 s without
        // windows) would otherwise end before the first period and leave nothing checked
        boolean first = true;
        while (thread == me) {
            try {
                SamplingPolicy p;
                synchronized (lock) {
                    Optional<SamplingPolicy> found = env.policies().stream().filter(x -> id.equals(x.id())).findFirst();
                    if (found.isEmpty()) {
                        // the policy went (its removal stops this thread too): policiesChanged starts a new one
                        if (thread == me) thread = null;
                        break;
                    }
                    p = found.get();
                }
                if (!first) Thread.sleep(Math.max(1, p.delayBeforeNextWindowMillis()));
                first = false;
                if (thread != me) break;
                SamplingTarget target = env.target().orElse(null);
                if (engine.state() != SamplingState.IDLE || target == null || target.runningBackend().isEmpty()) continue;
                if (behind(env.verificationBacklog())) continue;
                try {
                    engine.sampleNow(p.windowInstructions(), engine.settings().windowTimeoutMillis());
                } catch (SamplingException e) {
                    // a failed window was reported by its transition (once per episode of failures)
                    LOG.debug("periodic window: {}", e.getMessage());
                }
            } catch (InterruptedException e) {
                break;
            } catch (RuntimeException e) {
                LOG.error("periodic sampling: unexpected failure", e);
            }
        }
    }

    /** Periodic windows skipped because verification was behind, since this engine started. */
    private final java.util.concurrent.atomic.AtomicLong skippedBehind = new java.util.concurrent.atomic.AtomicLong();
    private long skippedThisPause;
    private boolean paused;

    /**
     * Whether this period's window is skipped: verification is at its backlog limit (issue 15 item 4: recording must not
     * outrun verification for ever; a window is skipped before it is recorded, never dropped after). Logged once per
     * pause, and when it ends, with the count.
     */
    private boolean behind(SamplingEngine.Backlog b) {
        if (b.full()) {
            skippedBehind.incrementAndGet();
            skippedThisPause++;
            if (!paused) {
                paused = true;
                LOG.warn("verification is {} windows behind (limit {}, sampling maxVerificationBacklog): periodic windows "
                        + "are skipped until it catches up", b.windows(), b.limit());
            }
            return true;
        }
        if (paused) {
            paused = false;
            LOG.info("verification caught up ({} windows behind, limit {}): periodic sampling resumes; {} windows were skipped",
                    b.windows(), b.limit(), skippedThisPause);
            skippedThisPause = 0;
        }
        return false;
    }

    long skippedBehind() { return skippedBehind.get(); }

    void stop() {
        synchronized (lock) {
            wantedPolicy = null;
            if (stopThread()) LOG.info("periodic sampling stopped");
        }
    }

    private boolean stopThread() {
        Thread t = thread;
        thread = null;
        if (t != null) t.interrupt();
        return t != null;
    }

    boolean running() { return thread != null; }
}
