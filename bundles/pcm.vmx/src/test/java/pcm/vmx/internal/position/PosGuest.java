package pcm.vmx.internal.position;

import pcm.core.api.cpu.BackendException;
import pcm.vmx.internal.kvm.KvmHypervisor;
import pcm.vmx.internal.kvm.TestGuest;

/** The KVM tests' guest with a TSS I/O bitmap allowing every port (CPL3 OUT exits) and IF=1 at CPL3. */
final class PosGuest extends TestGuest {

    PosGuest(KvmHypervisor hv, String codeHex, boolean cpl3) throws BackendException {
        super(hv, codeHex, cpl3, true);
    }
}
