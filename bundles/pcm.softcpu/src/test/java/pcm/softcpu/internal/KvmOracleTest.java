package pcm.softcpu.internal;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;

import pcm.vmx.internal.kvm.KvmHypervisor;

/**
 * Base of the tests that compare the interpreter with KVM, the real CPU: one hypervisor per class, and each test
 * assumes it usable (per test, not in {@code @BeforeAll}, so that on a host without usable KVM every test is
 * reported as skipped with the reason, not as "Tests run: 0").
 */
abstract class KvmOracleTest {

    static KvmHypervisor hv;

    @BeforeAll
    static void openKvm() {
        hv = KvmHypervisor.standard();
    }

    @BeforeEach
    void kvmUsable() {
        Assumptions.assumeTrue(hv.hostInfo().available(), () -> "KVM not usable here, no differential test: " + hv.hostInfo().problem());
    }

    @AfterAll
    static void closeKvm() {
        if (hv != null) hv.close();
        hv = null;
    }
}
