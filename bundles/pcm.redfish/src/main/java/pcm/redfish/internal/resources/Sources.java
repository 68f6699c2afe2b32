package pcm.redfish.internal.resources;

import java.util.List;

import org.osgi.framework.Bundle;

import pcm.core.api.sampling.Sampler;
import pcm.core.api.verify.Verdict;
import pcm.core.api.vm.Vm;

/** What the resources are made of; each service may be absent (a bundle being updated): the resource says 503. */
public interface Sources {

    Vm vm();

    Sampler sampler();

    /** Every verdict in the store, window by window, oldest window first (empty without a sampler). */
    List<Verdict> verdicts();

    Bundle[] bundles();

    /** The firmware version: the kernel's (pcm.core) bundle version. */
    String firmwareVersion();
}
