package pcm.core.api.vm;

import org.osgi.annotation.versioning.ConsumerType;

/** Receives the guest's console output (whiteboard). Called on vCPU threads: be quick. */
@ConsumerType
public interface ConsoleListener {

    void output(byte[] bytes, int offset, int length);
}
