package pcm.core.internal.vm;

import java.util.List;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.core.api.cpu.HostInfo;
import pcm.core.api.cpu.Hypervisor;
import pcm.core.api.vm.VmException;

/** Picks the CPU backend: the one configured, or for "auto" KVM when it works, else the software CPU. */
final class BackendChoice {

    private static final Logger LOG = LoggerFactory.getLogger(BackendChoice.class);
    private static volatile boolean fallbackAnnounced;

    private BackendChoice() {}

    static Hypervisor choose(String wanted, List<Hypervisor> available) throws VmException {
        if (!"auto".equals(wanted)) {
            Hypervisor h = available.stream().filter(x -> x.id().equals(wanted)).findFirst()
                    .orElseThrow(() -> new VmException("backend '" + wanted + "' is not installed (have: " + ids(available) + ")"));
            HostInfo info = h.hostInfo();
            if (!info.available()) throw new VmException("backend '" + wanted + "' cannot run here: " + info.problem());
            return h;
        }
        Hypervisor kvm = available.stream().filter(x -> x.id().equals("kvm")).findFirst().orElse(null);
        if (kvm != null && kvm.hostInfo().available()) return kvm;
        Hypervisor soft = available.stream().filter(x -> x.id().equals("soft") && x.hostInfo().available()).findFirst().orElse(null);
        String why = kvm == null ? "the KVM backend is not installed" : kvm.hostInfo().problem();
        if (soft != null) {
            if (!fallbackAnnounced) {
                fallbackAnnounced = true;
                LOG.warn("KVM is not usable ({}); using the software CPU", why);
            }
            return soft;
        }
        throw new VmException("no usable CPU backend: " + why + "; installed: " + ids(available));
    }

    private static String ids(List<Hypervisor> hs) {
        return hs.isEmpty() ? "none" : hs.stream().map(h -> h.id() + (h.hostInfo().available() ? "" : " (unavailable)"))
                .collect(Collectors.joining(", "));
    }
}
