package pcm.ui.api.selftest;

import java.util.function.Consumer;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Runs PCM's self-test: the framework and the services PCM needs are there, a CPU backend (KVM or the software CPU) is
 * usable, a short window of the guest is recorded and verified MATCH, and a fault-injected copy of it is found DIVERGED
 * at exactly the injected position. Each run is kept, with its time stamp, under {@code <data>/selftest/}. A run takes
 * a few seconds to a minute (it boots the guest when it is not running); one at a time.
 */
@ProviderType
public interface SelfTest {

    /** How many checks a run makes when every one can run (a check whose prerequisite failed is left out). @since 1.1 */
    int CHECKS = 5;

    /** Runs every check (a failed check does not stop the others that do not depend on it) and stores the report. */
    SelfTestReport run() throws InterruptedException;

    /**
     * As {@link #run()}, telling {@code progress} of each check as soon as it is decided (the API's self-test task shows
     * them while the run goes on). The default tells them all at the end.
     *
     * @since 1.1
     */
    default SelfTestReport run(Consumer<SelfTestReport.Check> progress) throws InterruptedException {
        SelfTestReport r = run();
        r.checks().forEach(progress);
        return r;
    }
}
