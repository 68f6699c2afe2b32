package pcm.vmx.internal.kvm;

import java.nio.file.Path;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import pcm.core.api.cpu.BackendException;
import pcm.core.api.cpu.HostInfo;
import pcm.core.api.cpu.Hypervisor;

/**
 * The KVM backend service ({@code pcm.backend.id=kvm}). It always activates: without a usable
 * {@code /dev/kvm} it reports {@code available=false} and the one-line cause through {@link #hostInfo()},
 * and {@link #createVm()} throws that cause.
 */
@Component(service = Hypervisor.class, property = Hypervisor.ID + "=kvm", configurationPid = "pcm.vmx.kvm")
@Designate(ocd = KvmHypervisor.Config.class)
public final class KvmHypervisor implements Hypervisor, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KvmHypervisor.class);

    @ObjectClassDefinition(name = "PCM KVM backend", description = "CPU virtualization through /dev/kvm")
    public @interface Config {
        @AttributeDefinition(description = "KVM device node")
        String devicePath() default "/dev/kvm";

        @AttributeDefinition(description = "sysfs module directory used to tell PVM from hardware KVM")
        String sysModulePath() default "/sys/module";
    }

    private volatile KvmSystem system;
    private volatile HostInfo info = new HostInfo(false, HostInfo.Kind.NONE, "KVM backend not activated", "not activated");

    /** For DS. */
    public KvmHypervisor() {}

    /** Outside OSGi (tests, benches): probe the given device and sysfs module directory now. */
    public KvmHypervisor(Path device, Path sysModule) {
        start(device, sysModule);
    }

    /** Outside OSGi, with /dev/kvm and /sys/module. */
    public static KvmHypervisor standard() {
        return new KvmHypervisor(Path.of("/dev/kvm"), Path.of("/sys/module"));
    }

    @Activate
    void activate(Config config) {
        start(Path.of(config.devicePath()), Path.of(config.sysModulePath()));
    }

    private void start(Path device, Path sysModule) {
        try {
            KvmSystem s = KvmSystem.open(device, sysModule);
            system = s;
            info = new HostInfo(true, s.kind(), s.description(), null);
            LOG.info("KVM backend available: {}", info.description());
        } catch (KvmSystem.Unavailable e) {
            info = new HostInfo(false, HostInfo.Kind.NONE, "KVM backend unavailable", e.getMessage());
            LOG.warn("KVM backend unavailable: {}", e.getMessage());
        } catch (RuntimeException | LinkageError e) {
            info = new HostInfo(false, HostInfo.Kind.NONE, "KVM backend unavailable",
                    "KVM probe failed: " + e);
            LOG.warn("KVM probe failed", e);
        }
    }

    @Deactivate
    @Override
    public void close() {
        KvmSystem s = system;
        system = null;
        if (s != null) {
            s.close();
        }
    }

    @Override
    public String id() {
        return "kvm";
    }

    @Override
    public HostInfo hostInfo() {
        return info;
    }

    /** The open KVM system (null if unavailable). */
    public KvmSystem system() {
        return system;
    }

    @Override
    public KvmVm createVm() throws BackendException {
        KvmSystem s = system;
        if (s == null) {
            throw new BackendException("KVM is not available: " + info.problem());
        }
        return new KvmVm(s);
    }
}
