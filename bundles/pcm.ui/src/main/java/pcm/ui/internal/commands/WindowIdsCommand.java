package pcm.ui.internal.commands;

import java.util.List;

import org.apache.felix.service.command.Descriptor;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

import pcm.core.api.sampling.Sampler;
import pcm.core.api.sampling.WindowInfo;

/** {@code pcm:windowids}: the ids of the stored windows, oldest first; the shell completes window arguments with them. */
@Component(service = WindowIdsCommand.class, property = {"osgi.command.scope=pcm", "osgi.command.function=windowids"})
public class WindowIdsCommand extends PcmCommand {

    private final BundleContext context;

    @Activate
    public WindowIdsCommand(BundleContext context) {
        this.context = context;
    }

    @Override
    protected String function() {
        return "windowids";
    }

    @Override
    protected String usage() {
        return "usage: pcm:windowids   (no arguments)";
    }

    @Descriptor("the ids of the stored windows, oldest first (what the shell completes window arguments with)")
    public List<String> windowids() {
        return Bundles.withService(context, Sampler.class, "no sampler service (pcm.core's sampler is not active)",
                s -> s.windows().stream().map(WindowInfo::id).toList());
    }
}
