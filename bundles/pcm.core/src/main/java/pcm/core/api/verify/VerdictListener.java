package pcm.core.api.verify;

import org.osgi.annotation.versioning.ConsumerType;

/** Told of every verdict as it is reached (whiteboard). Called on verification worker threads. */
@ConsumerType
public interface VerdictListener {

    void verdict(Verdict verdict);
}
