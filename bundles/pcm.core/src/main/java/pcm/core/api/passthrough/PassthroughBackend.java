package pcm.core.api.passthrough;

import java.util.List;

import org.osgi.annotation.versioning.ConsumerType;

/** Assigns host devices to the guest (VFIO container/group/device, or a simulation for tests). */
@ConsumerType
public interface PassthroughBackend {

    /** Service property: backend id, e.g. "vfio", "simulated". */
    String ID = "pcm.passthrough.id";

    String id();

    /** Host devices this backend could assign, e.g. PCI addresses "0000:03:00.0". */
    List<String> assignableDevices();

    /** Assigns a device; BARs, DMA and interrupts are the backend's business. */
    Assignment assign(String hostDevice) throws PassthroughException;

    /** A device assigned to the guest; closing releases it. */
    interface Assignment extends AutoCloseable {
        String hostDevice();

        @Override
        void close();
    }

    class PassthroughException extends Exception {
        private static final long serialVersionUID = 1L;

        public PassthroughException(String message) { super(message); }
    }
}
