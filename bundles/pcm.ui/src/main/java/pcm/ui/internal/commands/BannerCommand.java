package pcm.ui.internal.commands;

import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import pcm.branding.api.Branding;
import pcm.ui.internal.exec.DropIns;

/**
 * {@code pcm:banner}: the branding's shell banner. The interactive shell prints it when it starts (bin/lib/gosh's
 * profile; the shell attached to a resident PCM asks for it over the API); the highest-ranked branding, taken again
 * when another branding bundle comes or goes. A branding bundle in {@code <data>/deploy} is waited for (a few seconds at
 * most), so the shell that starts with the runtime prints the OEM's banner, not PCM's.
 */
@Component(service = BannerCommand.class, property = {"osgi.command.scope=pcm", "osgi.command.function=banner"})
public class BannerCommand extends PcmCommand {

    /** At most this long for what FileInstall found in deploy/ and conf/ at start to be installed and applied. */
    static final long DROP_IN_WAIT_MILLIS = 5_000;

    private final BundleContext context;

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile Branding branding;

    @Activate
    public BannerCommand(BundleContext context) {
        this.context = context;
    }

    @Override
    protected String function() {
        return "banner";
    }

    @Override
    protected String usage() {
        return "usage: pcm:banner   (no arguments)";
    }

    @Descriptor("the shell banner of the branding in use (pcm.branding, or an OEM's branding bundle)")
    public String banner() throws InterruptedException {
        DropIns.await(context, DROP_IN_WAIT_MILLIS);
        return Banner.of(branding);
    }
}
