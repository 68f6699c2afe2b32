package pcm.ui.internal.commands;

import org.apache.felix.service.command.Descriptor;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.component.annotations.ReferencePolicyOption;

import pcm.branding.api.Branding;

/**
 * {@code pcm:banner}: the branding's shell banner. The interactive shell prints it when it starts (bin/lib/gosh's
 * profile; the shell attached to a resident PCM asks for it over the API); the highest-ranked branding, taken again
 * when another branding bundle comes or goes.
 */
@Component(service = BannerCommand.class, property = {"osgi.command.scope=pcm", "osgi.command.function=banner"})
public class BannerCommand extends PcmCommand {

    @Reference(cardinality = ReferenceCardinality.OPTIONAL, policy = ReferencePolicy.DYNAMIC, policyOption = ReferencePolicyOption.GREEDY)
    private volatile Branding branding;

    @Override
    protected String function() {
        return "banner";
    }

    @Override
    protected String usage() {
        return "usage: pcm:banner   (no arguments)";
    }

    @Descriptor("the shell banner of the branding in use (pcm.branding, or an OEM's branding bundle)")
    public String banner() {
        return Banner.of(branding);
    }
}
