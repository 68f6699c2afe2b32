package pcm.core.api.cpu;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * A CPU virtualization backend (KVM, software CPU). Registered as a service with {@link #ID}.
 */
@ConsumerType
public interface Hypervisor {

    /** Service property: backend id, e.g. "kvm" or "soft". */
    String ID = "pcm.backend.id";

    String id();

    /** Whether this backend can run on this host, and what it found (e.g. PVM vs VMX). */
    HostInfo hostInfo();

    /** Creates an empty VM: no memory, no vCPUs. */
    VirtualMachine createVm() throws BackendException;
}
