package pcm.ui.internal.firmware;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;

import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import pcm.ui.api.firmware.Firmware;
import pcm.ui.api.firmware.FirmwareException;
import pcm.ui.api.firmware.FirmwareImage;
import pcm.ui.internal.commands.CommandFailure;
import pcm.ui.internal.status.ExitStatus;

/**
 * Gogo's {@code update} (Felix gogo.command's {@code felix:update}, which this one outranks): {@code update <bundle>}
 * without a URL read {@code new URL(location)}, and the bnd launcher installs PCM's bundles as {@code jar/...} (an
 * entry of the runnable jar, no protocol): {@code MalformedURLException}. Both forms go through the {@link Firmware}
 * service, so the jar is checked first, a running guest is not stopped, and the version replaced is kept for a rollback.
 */
@Component(service = UpdateCommand.class, property = {"osgi.command.scope=felix", "osgi.command.function=update",
    "service.ranking:Integer=10"})
public class UpdateCommand {

    private final BundleContext context;

    @Activate
    public UpdateCommand(BundleContext context) {
        this.context = context;
    }

    @Descriptor("update a bundle from where it came (its location: a URL, jar/... of the runnable jar, or a file)")
    public String update(@Descriptor("bundle (id or symbolic name)") Bundle bundle) {
        return withFirmware(f -> report(bundle, f.reread(bundle.getBundleId())));
    }

    @Descriptor("update a bundle from a URL")
    public String update(@Descriptor("bundle (id or symbolic name)") Bundle bundle, @Descriptor("URL of the new jar") String url) {
        byte[] jar;
        try (InputStream in = URI.create(url).toURL().openStream()) {
            jar = in.readAllBytes();
        } catch (IOException | IllegalArgumentException e) {
            throw CommandFailure.usage("update: cannot read " + url + ": " + e.getMessage());
        }
        return withFirmware(f -> {
            String bsn = JarImage.check(jar).symbolicName();
            if (!bsn.equals(bundle.getSymbolicName()))
                throw new FirmwareException(FirmwareException.Kind.REFUSED, url + " holds " + bsn + ", not " + bundle.getSymbolicName()
                        + " (bundle " + bundle.getBundleId() + "); nothing changed");
            return report(bundle, f.install(jar));
        });
    }

    private static String report(Bundle bundle, FirmwareImage now) {
        return "bundle " + bundle.getBundleId() + " " + now.symbolicName() + " " + now.version() + " " + now.state()
                + " (the version replaced is kept for a rollback: UpdateService, Pcm.Rollback)";
    }

    @FunctionalInterface
    interface FirmwareCall {
        String apply(Firmware firmware) throws FirmwareException;
    }

    private String withFirmware(FirmwareCall call) {
        ServiceReference<Firmware> ref = context.getServiceReference(Firmware.class);
        Firmware f = ref == null ? null : context.getService(ref);
        if (f == null) throw new CommandFailure("no firmware service (pcm.ui's FirmwareService is not active)");
        try {
            return call.apply(f);
        } catch (FirmwareException e) {
            ExitStatus status = switch (e.kind()) {
                case MALFORMED, NOT_FOUND, REFUSED, TOO_LARGE, UNTRUSTED -> ExitStatus.USAGE;
                case NOT_RESOLVABLE, FAILED -> ExitStatus.FAILED;
            };
            throw new CommandFailure(status, e.getMessage(), e);
        } finally {
            context.ungetService(ref);
        }
    }
}
