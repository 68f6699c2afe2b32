package pcm.ui.api.selftest;

import org.osgi.annotation.versioning.ProviderType;

/**
 * Runs PCM's self-test: the framework and the services PCM needs are there, a CPU backend (KVM or the software CPU) is
 * usable, a short window of the guest is recorded and verified MATCH, and a fault-injected copy of it is found DIVERGED
 * at exactly the injected position. Each run is kept, with its time stamp, under {@code <data>/selftest/}. A run takes
 * a few seconds to a minute (it boots the guest when it is not running); one at a time.
 */
@ProviderType
public interface SelfTest {

    /** Runs every check (a failed check does not stop the others that do not depend on it) and stores the report. */
    SelfTestReport run() throws InterruptedException;
}
